"""What the API reads: actions and entities, stats, logs, exported files, live progress,
and what a metrics scrape shows. Nothing here changes what is stored."""
