-- The first version of the library's schema: books, with a few rows to start with.
CREATE TABLE book (
    id INTEGER NOT NULL PRIMARY KEY,
    title VARCHAR(200) NOT NULL
);
INSERT INTO book (id, title) VALUES (1, 'Dune'), (2, 'Emma'), (3, 'It''s a Wonderful Life; a script');
