"""newspipe's Scrapy commands (``COMMANDS_MODULE``): ``crawl`` with the contract's exit statuses."""
