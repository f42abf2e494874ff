#pragma once
// Test support for the relationships suite (test/session/relationships_*_test.cpp): its own models
// (a one-way Checklist, the library loans, the tutorial's User/Address), the databases its cases
// run on, and the rows they seed.
#include <cstdint>
#include <string>
#include <utility>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "models.hpp"

// A one-way collection: Checklist has many ChecklistItem, the item has only the foreign key (no
// relationship of its own, so no back_populates).
struct ChecklistItem;
struct Checklist {
    std::int64_t id = 0;
    std::string title;
    dorm::many<ChecklistItem> items;
};
BOOST_DESCRIBE_STRUCT(Checklist, (), (id, title, items))
DORM_TABLE(Checklist, "checklist", (title, dorm::varchar(40)))

struct ChecklistItem {
    std::int64_t id = 0;
    std::string text;
    std::optional<std::int64_t> checklist_id;
};
BOOST_DESCRIBE_STRUCT(ChecklistItem, (), (id, text, checklist_id))
DORM_TABLE(ChecklistItem, "checklist_item", (text, dorm::varchar(40)), (checklist_id, dorm::foreign_key(&Checklist::id)))

// A lending library, written as a user would: a Loan refers to its Member (a back_populates pair,
// NOT NULL foreign key) and to its Book through a one-way dorm::one<Book> (no back_populates).
namespace library {
struct Loan;
struct Member {
    std::int64_t id = 0;
    std::string name;
    dorm::many<Loan> loans;
};
BOOST_DESCRIBE_STRUCT(Member, (), (id, name, loans))
DORM_TABLE(Member, "lib_member", (name, dorm::varchar(40)), (loans, dorm::back_populates("member")))

struct Book {
    std::int64_t id = 0;
    std::string title;
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, title))
DORM_TABLE(Book, "lib_book", (title, dorm::varchar(40)))

struct Loan {
    std::int64_t id = 0;
    std::string note;
    std::int64_t member_id = 0;
    std::optional<std::int64_t> book_id;
    dorm::one<Member> member;
    dorm::one<Book> book;  // one-way
};
BOOST_DESCRIBE_STRUCT(Loan, (), (id, note, member_id, book_id, member, book))
DORM_TABLE(Loan, "loan", (note, dorm::varchar(40)), (member_id, dorm::foreign_key(&Member::id)),
           (book_id, dorm::foreign_key(&Book::id)), (member, dorm::back_populates("loans")))
}  // namespace library

// The SQLAlchemy unified tutorial's User / Address ("Working with ORM Related Objects").
namespace tutorial {
struct Address;
struct User {
    std::int64_t id = 0;
    std::string name;
    dorm::many<Address> addresses;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, addresses))
DORM_TABLE(User, "user_account", (name, dorm::varchar(30)), (addresses, dorm::back_populates("user")))

struct Address {
    std::int64_t id = 0;
    std::string email_address;
    std::int64_t user_id = 0;
    dorm::one<User> user;
};
BOOST_DESCRIBE_STRUCT(Address, (), (id, email_address, user_id, user))
DORM_TABLE(Address, "address", (email_address, dorm::varchar(60)), (user_id, dorm::foreign_key(&User::id)),
           (user, dorm::back_populates("addresses")))
}  // namespace tutorial

// The databases the cases run on (tables created before a case, dropped after it).
using users_db = dorm_test::database<User, Profile, Comment>;
using checklists_db = dorm_test::database<Checklist, ChecklistItem>;
using authors_db = dorm_test::database<Author, Book>;
using invoices_db = dorm_test::database<Invoice, InvoiceLine>;
using nodes_db = dorm_test::database<Node>;
using posts_db = dorm_test::database<Post, Tag, PostTag>;
using library_db = dorm_test::database<library::Member, library::Book, library::Loan>;
using tutorial_db = dorm_test::database<tutorial::User, tutorial::Address>;
using all_db = dorm_test::database<User, Profile, Comment, Author, Book, Invoice, InvoiceLine, Node, Post, Tag, PostTag>;

/// A committed member and book; returns their ids.
inline std::pair<std::int64_t, std::int64_t> seed_library(const dorm::engine& e) {
    dorm::session s(e);
    auto ann = s.add(library::Member{.name = "ann"});
    auto book = s.add(library::Book{.title = "Dune"});
    s.commit();
    return {ann->id, book->id};
}
