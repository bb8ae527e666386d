"""newspipe's spiders: ``seeds`` reads documents from files."""
