"""Spiders of the newsvault Scrapy project (``scrapy crawl news``)."""

from __future__ import annotations
