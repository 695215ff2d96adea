"""Everything that writes: WARC archives, JSON Lines shards and object storage."""
