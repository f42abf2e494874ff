#pragma once
// Mapped structs shared by the session and relationship suites.
//
//  - User / Profile / Comment: the tutorial models, from blog_models.hpp (NOT NULL foreign
//    keys, no delete cascade).
//  - Member: no relationships; a unique email, a nullable score (session and result tests).
//  - Author / Book: one-to-many with a nullable foreign key and no delete cascade.
//  - Invoice / InvoiceLine: one-to-many with cascade("all, delete-orphan").
//  - Node: self-referential (parent_id -> node.id, parent / children).
//  - Post / Tag through PostTag: many-to-many (dorm::secondary<PostTag>).
#include <cstdint>
#include <optional>
#include <string>

#include <dorm/dorm.hpp>

#include "blog_models.hpp"

// ---- a table with a unique column (no relationships) ------------------------------------------

struct Member {
    int id = 0;
    std::string email;
    std::string nick;
    std::optional<int> score;
};
BOOST_DESCRIBE_STRUCT(Member, (), (id, email, nick, score))
DORM_TABLE(Member, "member",
           (email, dorm::varchar(100), dorm::unique),
           (nick, dorm::varchar(100)))

// ---- nullable foreign key, default cascade ---------------------------------------------------

struct Book;

struct Author {
    int id = 0;
    std::string name;
    dorm::many<Book> books;
};
BOOST_DESCRIBE_STRUCT(Author, (), (id, name, books))
DORM_TABLE(Author, "author",
           (name, dorm::varchar(50)),
           (books, dorm::back_populates("author")))

struct Book {
    int id = 0;
    std::string title;
    std::optional<int> author_id;
    dorm::one<Author> author;
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, title, author_id, author))
DORM_TABLE(Book, "book",
           (title, dorm::varchar(50)),
           (author_id, dorm::foreign_key(&Author::id)),
           (author, dorm::back_populates("books")))

// ---- cascade("all, delete-orphan") -----------------------------------------------------------

struct InvoiceLine;

struct Invoice {
    int id = 0;
    std::string number;
    dorm::many<InvoiceLine> lines;
};
BOOST_DESCRIBE_STRUCT(Invoice, (), (id, number, lines))
DORM_TABLE(Invoice, "invoice",
           (number, dorm::varchar(20)),
           (lines, dorm::cascade("all, delete-orphan"), dorm::back_populates("invoice")))

struct InvoiceLine {
    int id = 0;
    std::string item;
    int invoice_id = 0;
    dorm::one<Invoice> invoice;
};
BOOST_DESCRIBE_STRUCT(InvoiceLine, (), (id, item, invoice_id, invoice))
DORM_TABLE(InvoiceLine, "invoice_line",
           (item, dorm::varchar(50)),
           (invoice_id, dorm::foreign_key(&Invoice::id)),
           (invoice, dorm::back_populates("lines")))

// ---- self-referential ------------------------------------------------------------------------

struct Node {
    int id = 0;
    std::string name;
    std::optional<int> parent_id;
    dorm::one<Node> parent;
    dorm::many<Node> children;
};
BOOST_DESCRIBE_STRUCT(Node, (), (id, name, parent_id, parent, children))
DORM_TABLE(Node, "node",
           (name, dorm::varchar(30)),
           (parent_id, dorm::foreign_key(&Node::id)),
           (parent, dorm::back_populates("children")),
           (children, dorm::back_populates("parent")))

// ---- many-to-many ----------------------------------------------------------------------------

struct Tag;
struct PostTag;

struct Post {
    int id = 0;
    std::string title;
    dorm::many<Tag> tags;
};
BOOST_DESCRIBE_STRUCT(Post, (), (id, title, tags))
DORM_TABLE(Post, "post",
           (title, dorm::varchar(50)),
           (tags, dorm::secondary<PostTag>, dorm::back_populates("posts")))

struct Tag {
    int id = 0;
    std::string name;
    dorm::many<Post> posts;
};
BOOST_DESCRIBE_STRUCT(Tag, (), (id, name, posts))
DORM_TABLE(Tag, "tag",
           (name, dorm::varchar(30)),
           (posts, dorm::secondary<PostTag>, dorm::back_populates("tags")))

struct PostTag {
    int post_id = 0;
    int tag_id = 0;
};
BOOST_DESCRIBE_STRUCT(PostTag, (), (post_id, tag_id))
DORM_TABLE(PostTag, "post_tag",
           (post_id, dorm::primary_key, dorm::foreign_key(&Post::id)),
           (tag_id, dorm::primary_key, dorm::foreign_key(&Tag::id)))
