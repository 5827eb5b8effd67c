"""The values entity fields take, as people and spreadsheets write them: addresses and
domains as keys, numbers, true or false, phones, and the checks of a field's text that
tell a cell a spreadsheet mangled."""
