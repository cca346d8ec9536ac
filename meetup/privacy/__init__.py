"""Data protection for each person: their data as a download, deleting the
account (restorable for a while, then purged), and recorded consents."""
