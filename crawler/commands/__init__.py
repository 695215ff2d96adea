"""Project commands for `scrapy`: `crawl` validates the config before starting."""
