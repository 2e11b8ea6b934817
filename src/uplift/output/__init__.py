"""What people see, in their language: tables on screen, JSON and CSV, workbooks, Markdown."""
