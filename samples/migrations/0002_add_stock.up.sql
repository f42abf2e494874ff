-- Version 2 counts the copies on the shelf; the books already there get 1.
ALTER TABLE book ADD COLUMN stock INTEGER NOT NULL DEFAULT 1;
