"""Plan data readers: JSON, YAML and folders of CSV files become plain data plus locations."""
