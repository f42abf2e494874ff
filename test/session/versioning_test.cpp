// Optimistic concurrency with a dorm::version column (issue 14, item 4), on every backend:
//  - an INSERT writes version 1, every UPDATE of the object matches the version it read
//    (`AND "version" = ?`) and writes it + 1; a DELETE matches it too;
//  - a lost race (the row changed or vanished since it was read) is a stale_data_error naming the
//    table, the key and the version; the session is then rolled back cleanly, refresh() reads the
//    new version and the change can be retried;
//  - only column changes bump the version (not a collection or many-to-many change alone), a
//    value written into the member is dorm's to overwrite, a failed flush leaves no object
//    claiming a version its row does not have, bulk UPDATEs do not bump;
//  - a table without a version column behaves as before.
#define BOOST_TEST_MODULE versioning
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "fixture.hpp"

using dorm::col;
using dorm_test::ph;
using dorm_test::q;

namespace vt {

// ---- a versioned table on its own ------------------------------------------------------------

struct Account {
    int id = 0;
    std::string owner;
    std::int64_t balance = 0;
    int version = 0;
};
BOOST_DESCRIBE_STRUCT(Account, (), (id, owner, balance, version))
DORM_TABLE(Account, "account", (owner, dorm::varchar(40)), (version, dorm::version))

// ---- versioned tables with relationships -----------------------------------------------------
// Folder 1-n Document (composite key: the folder and a name), Folder n-m Label.

struct Document;
struct Label;
struct FolderLabel;

struct Folder {
    int id = 0;
    std::string name;
    long long row_version = 0;  // another integer type and another name
    dorm::many<Document> documents;
    dorm::many<Label> labels;
};
BOOST_DESCRIBE_STRUCT(Folder, (), (id, name, row_version, documents, labels))
DORM_TABLE(Folder, "folder",
           (name, dorm::varchar(40)),
           (row_version, dorm::version),
           (documents, dorm::back_populates("folder")),
           (labels, dorm::secondary<FolderLabel>, dorm::back_populates("folders")))

struct Document {
    int folder_id = 0;
    std::string name;
    std::string body;
    int version = 0;
    dorm::one<Folder> folder;
};
BOOST_DESCRIBE_STRUCT(Document, (), (folder_id, name, body, version, folder))
DORM_TABLE(Document, "document",
           (folder_id, dorm::primary_key, dorm::foreign_key(&Folder::id)),
           (name, dorm::primary_key, dorm::varchar(40)),
           (version, dorm::version),
           (folder, dorm::back_populates("documents")))

struct Label {
    int id = 0;
    std::string text;
    int version = 0;
    dorm::many<Folder> folders;
};
BOOST_DESCRIBE_STRUCT(Label, (), (id, text, version, folders))
DORM_TABLE(Label, "label",
           (text, dorm::varchar(40)),
           (version, dorm::version),
           (folders, dorm::secondary<FolderLabel>, dorm::back_populates("labels")))

struct FolderLabel {
    int folder_id = 0;
    int label_id = 0;
};
BOOST_DESCRIBE_STRUCT(FolderLabel, (), (folder_id, label_id))
DORM_TABLE(FolderLabel, "folder_label",
           (folder_id, dorm::primary_key, dorm::foreign_key(&Folder::id)),
           (label_id, dorm::primary_key, dorm::foreign_key(&Label::id)))

// ---- a table without a version column --------------------------------------------------------

struct Note {
    int id = 0;
    std::string text;
};
BOOST_DESCRIBE_STRUCT(Note, (), (id, text))
DORM_TABLE(Note, "note", (text, dorm::varchar(40)))

// ---- versions of small integer types (a flush refuses the UPDATE that would wrap them) ---------

struct Tiny {
    int id = 0;
    std::string label;
    std::int8_t version = 0;
};
BOOST_DESCRIBE_STRUCT(Tiny, (), (id, label, version))
DORM_TABLE(Tiny, "tiny_counter", (label, dorm::varchar(20)), (version, dorm::version))

struct TinyUnsigned {
    int id = 0;
    std::string label;
    std::uint8_t version = 0;
};
BOOST_DESCRIBE_STRUCT(TinyUnsigned, (), (id, label, version))
DORM_TABLE(TinyUnsigned, "tiny_unsigned_counter", (label, dorm::varchar(20)), (version, dorm::version))

struct Small {
    int id = 0;
    std::string label;
    std::int16_t version = 0;
};
BOOST_DESCRIBE_STRUCT(Small, (), (id, label, version))
DORM_TABLE(Small, "small_counter", (label, dorm::varchar(20)), (version, dorm::version))

}  // namespace vt

using namespace vt;

namespace {

struct account_db : dorm_test::database<Account> {
    /// The version column of an account row, read on a connection of its own.
    std::int64_t version_in_db(int id) {
        auto c = engine.connect();
        auto st = c.prepare("SELECT " + q("version") + " FROM " + q("account") + " WHERE " + q("id") + " = " + ph(1));
        st->bind_int(0, id);
        BOOST_REQUIRE(st->step());
        return st->get_int(0);
    }
    std::int64_t balance_in_db(int id) {
        auto c = engine.connect();
        auto st = c.prepare("SELECT " + q("balance") + " FROM " + q("account") + " WHERE " + q("id") + " = " + ph(1));
        st->bind_int(0, id);
        BOOST_REQUIRE(st->step());
        return st->get_int(0);
    }
    /// Another transaction changes the row (as another program would: bumps the version).
    void change_elsewhere(int id, std::int64_t balance) {
        dorm::session other(engine);
        auto a = other.get<Account>(id);
        BOOST_REQUIRE(a);
        a->balance = balance;
        other.commit();
    }
    int seed_one(std::int64_t balance = 100) {
        return dorm_test::seed(engine, std::vector<Account>{{.owner = "ann", .balance = balance}}).at(0);
    }
};

using folder_db = dorm_test::database<Folder, Document, Label, FolderLabel>;
using note_db = dorm_test::database<Note>;

/// The part of a statement from its WHERE on ("" without one).
std::string where_part(const std::string& sql) {
    auto at = sql.find("WHERE");
    return at == std::string::npos ? std::string() : sql.substr(at);
}

/// The statements captured that start with `prefix`.
std::vector<std::string> statements_starting(const dorm_test::echo_capture& echo, std::string_view prefix) {
    std::vector<std::string> out;
    for (auto& s : echo.statements())
        if (s.starts_with(prefix)) out.push_back(s);
    return out;
}

/// Whether a WHERE clause matches the version column: `... AND "version" = ?` (any quoting of
/// the table prefix, any placeholder style).
bool matches_version(const std::string& where, std::string_view column = "version") {
    const std::string qc = q(column);
    const auto and_at = where.find(" AND ");
    const auto col_at = where.find(qc, and_at == std::string::npos ? 0 : and_at);
    if (and_at == std::string::npos || col_at == std::string::npos) return false;
    const auto eq_at = where.find('=', col_at + qc.size());
    return eq_at != std::string::npos && where.find_first_not_of(' ', col_at + qc.size()) == eq_at;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(versioning)

BOOST_FIXTURE_TEST_CASE(an_insert_writes_version_1, account_db) {
    dorm::session s(engine);
    auto a = s.add(Account{.owner = "ann", .balance = 10, .version = 42});  // dorm's value, not the user's
    auto b = s.add(Account{.owner = "bob", .balance = 20});
    s.commit();
    BOOST_CHECK_EQUAL(a->version, 1);
    BOOST_CHECK_EQUAL(b->version, 1);
    BOOST_CHECK_EQUAL(version_in_db(a->id), 1);
    BOOST_CHECK_EQUAL(version_in_db(b->id), 1);
    dorm::session other(engine);
    BOOST_CHECK_EQUAL(other.get<Account>(a->id)->version, 1);
    auto raw = other.execute(dorm::text<std::int64_t>(
        "SELECT " + q("version") + " FROM " + q("account") + " WHERE " + q("owner") + " = :o", {{"o", "bob"}}));
    BOOST_CHECK_EQUAL(raw.scalar_one(), 1);
}

BOOST_FIXTURE_TEST_CASE(every_update_matches_the_version_and_increments_it_by_one, account_db) {
    const int id = seed_one();
    dorm::session s(engine);
    auto a = s.get<Account>(id);
    BOOST_REQUIRE_EQUAL(a->version, 1);
    echo.clear();
    a->balance = 150;
    s.commit();
    BOOST_CHECK_EQUAL(a->version, 2);
    BOOST_CHECK_EQUAL(version_in_db(id), 2);
    BOOST_CHECK_EQUAL(balance_in_db(id), 150);
    const auto updates = statements_starting(echo, "UPDATE");
    BOOST_REQUIRE_EQUAL(updates.size(), 1u);
    BOOST_CHECK_MESSAGE(matches_version(where_part(updates[0])), updates[0]);
    BOOST_CHECK_MESSAGE(updates[0].find(q("version")) < updates[0].find("WHERE"), updates[0]);  // also SET
    // the parameters: new balance, new version, key, old version
    const auto entries = echo.entries();
    bool params_seen = false;
    for (auto& e : entries)
        if (dorm_test::echo_capture::is_params(e)) {
            BOOST_CHECK_MESSAGE(e.find("(150, 2, " + std::to_string(id) + ", 1)") != std::string::npos, e);
            params_seen = true;
        }
    BOOST_CHECK_MESSAGE(params_seen, echo.dump());

    // two flushes in one transaction: +1 each
    a->balance = 160;
    s.flush();
    BOOST_CHECK_EQUAL(a->version, 3);
    a->owner = "ann b.";
    s.commit();
    BOOST_CHECK_EQUAL(a->version, 4);
    BOOST_CHECK_EQUAL(version_in_db(id), 4);

    // nothing changed (or changed back): no UPDATE, no bump
    echo.clear();
    a->balance = 1;
    a->balance = 160;
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
    BOOST_CHECK_EQUAL(a->version, 4);
    BOOST_CHECK_EQUAL(version_in_db(id), 4);
}

BOOST_FIXTURE_TEST_CASE(a_lost_race_raises_stale_data_error_and_a_retry_after_refresh_succeeds, account_db) {
    const int id = seed_one(100);
    dorm::session first(engine), second(engine);
    auto a1 = first.get<Account>(id);
    first.commit();
    auto a2 = second.get<Account>(id);
    second.commit();
    BOOST_REQUIRE_EQUAL(a1->version, 1);
    BOOST_REQUIRE_EQUAL(a2->version, 1);

    a1->balance = 70;  // the first one wins
    first.commit();
    BOOST_CHECK_EQUAL(a1->version, 2);

    a2->balance = 130;
    std::string what = "<no stale_data_error>";
    try {
        second.commit();
    } catch (const dorm::stale_data_error& e) {
        what = e.what();
        BOOST_CHECK_EQUAL(e.table(), "account");
        BOOST_CHECK_EQUAL(e.key(), "id=" + std::to_string(id));
        BOOST_REQUIRE(e.version().has_value());
        BOOST_CHECK_EQUAL(*e.version(), 1);
    }
    BOOST_CHECK_MESSAGE(what.find("UPDATE statement on table 'account' expected to update 1 row(s); 0 were matched") !=
                            std::string::npos,
                        what);
    BOOST_CHECK_MESSAGE(what.find("account id=" + std::to_string(id) + ", version 1") != std::string::npos, what);
    BOOST_CHECK_EQUAL(a2->version, 1);  // not a version its row does not have
    BOOST_CHECK_THROW(second.flush(), dorm::pending_rollback_error);
    second.rollback();
    BOOST_CHECK_EQUAL(a2->balance, 100);  // the committed values are back
    BOOST_CHECK_EQUAL(a2->version, 1);
    BOOST_CHECK_EQUAL(balance_in_db(id), 70);  // the winner's change stands

    second.refresh(a2);
    BOOST_CHECK_EQUAL(a2->version, 2);
    BOOST_CHECK_EQUAL(a2->balance, 70);
    a2->balance += 60;
    second.commit();
    BOOST_CHECK_EQUAL(a2->version, 3);  // the original + 2
    BOOST_CHECK_EQUAL(version_in_db(id), 3);
    BOOST_CHECK_EQUAL(balance_in_db(id), 130);
}

BOOST_FIXTURE_TEST_CASE(a_stale_autoflush_keeps_its_type, account_db) {
    const int id = seed_one();
    dorm::session s(engine);
    auto a = s.get<Account>(id);
    s.commit();
    change_elsewhere(id, 5);
    a->balance = 6;
    std::string what = "<no stale_data_error>";
    try {
        (void)s.execute(dorm::select<Account>().where(col(&Account::owner) == "ann")).all();
    } catch (const dorm::stale_data_error& e) {
        what = e.what();
        BOOST_CHECK_EQUAL(e.table(), "account");
        BOOST_CHECK_EQUAL(e.version().value_or(-1), 1);
    }
    BOOST_CHECK_MESSAGE(what.find("autoflush") != std::string::npos, what);
    BOOST_CHECK_MESSAGE(what.find("expected to update 1 row(s); 0 were matched") != std::string::npos, what);
    s.rollback();
    BOOST_CHECK_EQUAL(a->version, 1);
    BOOST_CHECK_EQUAL(version_in_db(id), 2);
    BOOST_CHECK_EQUAL(balance_in_db(id), 5);
}

BOOST_FIXTURE_TEST_CASE(a_delete_matches_the_version_too, account_db) {
    const int id = seed_one();
    dorm::session s(engine);
    auto a = s.get<Account>(id);
    s.commit();
    change_elsewhere(id, 1);
    echo.clear();
    s.remove(a);
    std::string what = "<no stale_data_error>";
    try {
        s.commit();
    } catch (const dorm::stale_data_error& e) {
        what = e.what();
        BOOST_CHECK_EQUAL(e.key(), "id=" + std::to_string(id));
    }
    BOOST_CHECK_MESSAGE(what.find("DELETE statement on table 'account' expected to delete 1 row(s); 0 were matched") !=
                            std::string::npos,
                        what);
    BOOST_CHECK_MESSAGE(what.find("version 1") != std::string::npos, what);
    const auto deletes = statements_starting(echo, "DELETE");
    BOOST_REQUIRE_EQUAL(deletes.size(), 1u);
    BOOST_CHECK_MESSAGE(matches_version(where_part(deletes[0])), deletes[0]);
    s.rollback();
    BOOST_CHECK(s.contains(a));  // the object is back, the row is still there
    BOOST_CHECK_EQUAL(rows("account"), 1);

    // read the new version: the DELETE goes through
    s.refresh(a);
    BOOST_CHECK_EQUAL(a->version, 2);
    s.remove(a);
    s.commit();
    BOOST_CHECK_EQUAL(rows("account"), 0);

    // a row deleted elsewhere: the DELETE of a versioned object is stale as well
    const int other_id = seed_one();
    auto b = s.get<Account>(other_id);
    s.commit();
    {
        dorm::session other(engine);
        other.remove(other.get<Account>(other_id));
        other.commit();
    }
    s.remove(b);
    BOOST_CHECK_THROW(s.commit(), dorm::stale_data_error);
    s.rollback();
}

BOOST_FIXTURE_TEST_CASE(a_failed_flush_leaves_no_object_with_a_version_its_row_does_not_have, account_db) {
    const auto ids = dorm_test::seed(engine, std::vector<Account>{{.owner = "ann", .balance = 1},
                                                                  {.owner = "bob", .balance = 2}});
    dorm::session s(engine);
    auto first = s.get<Account>(ids[0]);
    auto second = s.get<Account>(ids[1]);
    s.commit();
    change_elsewhere(ids[1], 20);  // the second row is at version 2 now
    first->balance = 10;           // UPDATEs run in key order: the first succeeds, the second is stale
    second->balance = 30;
    BOOST_CHECK_THROW(s.commit(), dorm::stale_data_error);
    BOOST_CHECK_EQUAL(first->version, 1);
    BOOST_CHECK_EQUAL(second->version, 1);
    s.rollback();
    BOOST_CHECK_EQUAL(first->version, 1);
    BOOST_CHECK_EQUAL(first->balance, 1);
    BOOST_CHECK_EQUAL(second->version, 1);
    BOOST_CHECK_EQUAL(second->balance, 2);
    BOOST_CHECK_EQUAL(version_in_db(ids[0]), 1);  // the first UPDATE was rolled back
    BOOST_CHECK_EQUAL(balance_in_db(ids[0]), 1);

    // the session works on: both rows change once the second is refreshed
    s.refresh(second);
    first->balance = 10;
    second->balance = 30;
    s.commit();
    BOOST_CHECK_EQUAL(first->version, 2);
    BOOST_CHECK_EQUAL(second->version, 3);
    BOOST_CHECK_EQUAL(version_in_db(ids[1]), 3);
}

BOOST_FIXTURE_TEST_CASE(a_stale_row_inside_a_large_batch_is_found_and_every_version_is_restored, account_db) {
    // a pipelining driver (PostgreSQL) reads the row counts of queued UPDATEs batch by batch
    std::vector<Account> seedrows(300);
    for (std::size_t i = 0; i < seedrows.size(); ++i) seedrows[i].owner = "o" + std::to_string(i);
    const auto ids = dorm_test::seed(engine, std::move(seedrows));
    dorm::session s(engine);
    auto all = s.execute(dorm::select<Account>().order_by(col(&Account::id))).all();
    s.commit();
    BOOST_REQUIRE_EQUAL(all.size(), 300u);
    change_elsewhere(ids[270], 7);
    for (auto& a : all) a->balance = 99;
    std::string what = "<no stale_data_error>";
    try {
        s.commit();
    } catch (const dorm::stale_data_error& e) {
        what = e.what();
        BOOST_CHECK_EQUAL(e.key(), "id=" + std::to_string(ids[270]));
    }
    BOOST_CHECK_MESSAGE(what.find("0 were matched") != std::string::npos, what);
    std::size_t bumped = 0;
    for (auto& a : all) bumped += a->version != 1;
    BOOST_CHECK_EQUAL(bumped, 0u);
    s.rollback();
    dorm::session check(engine);
    BOOST_CHECK_EQUAL(check.execute(dorm::select(dorm::count()).select_from<Account>().where(col(&Account::balance) == 99))
                          .scalar_one(),
                      0);
    BOOST_CHECK_EQUAL(version_in_db(ids[0]), 1);
    BOOST_CHECK_EQUAL(version_in_db(ids[270]), 2);
}

BOOST_FIXTURE_TEST_CASE(a_value_written_into_the_version_member_is_overwritten, account_db) {
    const int id = seed_one();
    dorm::session s(engine);
    auto a = s.get<Account>(id);
    a->version = 100;  // alone: not a change
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
    BOOST_CHECK_EQUAL(a->version, 1);
    BOOST_CHECK(!s.is_modified(a));
    a->version = 100;  // with a real change: the committed version + 1
    a->balance = 1;
    s.commit();
    BOOST_CHECK_EQUAL(a->version, 2);
    BOOST_CHECK_EQUAL(version_in_db(id), 2);
    a->version = -5;
    a->owner = "ann b.";
    s.commit();
    BOOST_CHECK_EQUAL(a->version, 3);
    BOOST_CHECK_EQUAL(version_in_db(id), 3);
}

BOOST_FIXTURE_TEST_CASE(a_bulk_update_does_not_bump_the_version, account_db) {
    const int id = seed_one(100);
    dorm::session s(engine);
    auto a = s.get<Account>(id);
    const auto n = s.execute(dorm::update<Account>().set(col(&Account::balance), 5).where(col(&Account::id) == id))
                       .rowcount();
    BOOST_CHECK_EQUAL(n, 1);
    s.commit();
    BOOST_CHECK_EQUAL(a->balance, 5);  // the session's object was re-read
    BOOST_CHECK_EQUAL(a->version, 1);
    BOOST_CHECK_EQUAL(version_in_db(id), 1);
    // so an object read before the bulk UPDATE is not stale for the version check
    a->balance = 6;
    s.commit();
    BOOST_CHECK_EQUAL(a->version, 2);
}

BOOST_FIXTURE_TEST_CASE(only_column_changes_bump_the_version, folder_db) {
    int folder_id = 0, label_id = 0;
    {
        dorm::session s(engine);
        auto f = s.add(Folder{.name = "inbox"});
        auto l = s.add(Label{.text = "urgent"});
        f->documents.push_back(std::make_shared<Document>(Document{.name = "a.txt", .body = "a"}));
        s.commit();
        folder_id = f->id;
        label_id = l->id;
        BOOST_CHECK_EQUAL(f->row_version, 1);
        BOOST_CHECK_EQUAL(l->version, 1);
        BOOST_CHECK_EQUAL(f->documents.begin()->get()->version, 1);
    }
    dorm::session s(engine);
    auto f = s.get<Folder>(folder_id);
    auto l = s.get<Label>(label_id);
    BOOST_REQUIRE_EQUAL(f->documents.size(), 1u);
    echo.clear();
    // a new child in the collection: an INSERT of the child, the folder's row is unchanged
    auto b = std::make_shared<Document>(Document{.name = "b.txt", .body = "b"});
    f->documents.push_back(b);
    // a many-to-many change: an association row, neither row changes
    f->labels.push_back(l);
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
    BOOST_CHECK_EQUAL(f->row_version, 1);
    BOOST_CHECK_EQUAL(l->version, 1);
    BOOST_CHECK_EQUAL(b->version, 1);
    BOOST_CHECK_EQUAL(b->folder_id, folder_id);
    BOOST_CHECK_EQUAL(rows("folder_label"), 1);

    // a column change of the child bumps the child only; of the folder, the folder
    echo.clear();
    b->body = "b, edited";
    f->name = "archive";
    s.commit();
    BOOST_CHECK_EQUAL(b->version, 2);
    BOOST_CHECK_EQUAL(f->row_version, 2);
    BOOST_CHECK_EQUAL(f->documents.begin()->get()->version, 1);
    const auto updates = statements_starting(echo, "UPDATE");
    BOOST_REQUIRE_EQUAL(updates.size(), 2u);
    for (auto& u : updates)
        BOOST_CHECK_MESSAGE(matches_version(where_part(u), u.find(q("folder") + " SET") != std::string::npos
                                                                ? "row_version"
                                                                : "version"),
                            u);
    dorm::session other(engine);
    BOOST_CHECK_EQUAL(other.get<Folder>(folder_id)->row_version, 2);
    BOOST_CHECK_EQUAL(other.get<Document>(folder_id, "b.txt")->version, 2);
    BOOST_CHECK_EQUAL(other.get<Document>(folder_id, "a.txt")->version, 1);
}

BOOST_FIXTURE_TEST_CASE(a_stale_row_with_a_composite_key_is_named_by_every_key_column, folder_db) {
    int folder_id = 0;
    {
        dorm::session s(engine);
        auto f = s.add(Folder{.name = "inbox"});
        f->documents.push_back(std::make_shared<Document>(Document{.name = "plan.md", .body = "v1"}));
        s.commit();
        folder_id = f->id;
    }
    dorm::session first(engine), second(engine);
    auto d1 = first.get<Document>(folder_id, "plan.md");
    first.commit();
    auto d2 = second.get<Document>(folder_id, "plan.md");
    second.commit();
    d1->body = "v2 by first";
    first.commit();
    d2->body = "v2 by second";
    std::string what = "<no stale_data_error>";
    try {
        second.commit();
    } catch (const dorm::stale_data_error& e) {
        what = e.what();
        BOOST_CHECK_EQUAL(e.table(), "document");
        BOOST_CHECK_EQUAL(e.key(), "folder_id=" + std::to_string(folder_id) + ", name='plan.md'");
    }
    BOOST_CHECK_MESSAGE(what.find("UPDATE statement on table 'document'") != std::string::npos, what);
    BOOST_CHECK_MESSAGE(what.find("document folder_id=" + std::to_string(folder_id) + ", name='plan.md', version 1") !=
                            std::string::npos,
                        what);
    second.rollback();
    second.refresh(d2);
    BOOST_CHECK_EQUAL(d2->body, "v2 by first");
    d2->body = "v3 by second";
    second.commit();
    BOOST_CHECK_EQUAL(d2->version, 3);
}

BOOST_FIXTURE_TEST_CASE(a_table_without_a_version_column_behaves_as_before, note_db) {
    const auto ids = dorm_test::seed(engine, std::vector<Note>{{.text = "one"}, {.text = "two"}});
    dorm::session s(engine);
    auto n1 = s.get<Note>(ids[0]);
    auto n2 = s.get<Note>(ids[1]);
    s.commit();
    {
        dorm::session other(engine);
        other.remove(other.get<Note>(ids[0]));
        other.get<Note>(ids[1])->text = "changed elsewhere";
        other.commit();
    }
    echo.clear();
    s.remove(n1);  // its row is already gone: not an error
    n2->text = "last writer wins";
    s.commit();
    BOOST_CHECK_EQUAL(rows("note"), 1);
    for (auto& st : echo.statements()) {
        BOOST_CHECK_MESSAGE(where_part(st).find(" AND ") == std::string::npos, st);
        BOOST_CHECK_MESSAGE(st.find("version") == std::string::npos, st);
    }
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 1u);
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE"), 1u);
    dorm::session check(engine);
    BOOST_CHECK_EQUAL(check.get<Note>(ids[1])->text, "last writer wins");
}

namespace {
/// The version of a small integer type T::version reaches its largest value through the session,
/// then the next change is refused before any SQL: data_error naming the table, the column and
/// the value the UPDATE would write; the row and the object keep the last version.
template <class T>
void a_version_stops_at_the_end_of_its_type(const std::string& table) {
    using V = decltype(T::version);
    constexpr std::int64_t top = std::numeric_limits<V>::max();
    dorm_test::database<T> db;
    const int id = dorm_test::seed(db.engine, std::vector<T>{T{.label = "new"}}).at(0);
    {   // the row one step before the end (a bulk UPDATE does not bump the version)
        dorm::session s(db.engine);
        s.execute(dorm::update<T>().set(col(&T::version), static_cast<V>(top - 1)).where(col(&T::id) == id));
        s.commit();
    }
    dorm::session s(db.engine);
    auto x = s.get<T>(id);
    BOOST_REQUIRE(x);
    BOOST_REQUIRE_EQUAL(std::int64_t{x->version}, top - 1);
    x->label = "last";
    s.commit();  // the boundary itself is fine
    BOOST_CHECK_EQUAL(std::int64_t{x->version}, top);

    x->label = "wraps";
    db.echo.clear();
    bool refused = false;
    try {
        s.commit();
    } catch (const dorm::data_error& e) {
        refused = true;
        const auto& d = e.details();
        BOOST_CHECK_EQUAL(d.table, table);
        BOOST_CHECK_EQUAL(d.column, "version");
        BOOST_CHECK_EQUAL(d.value, std::to_string(top + 1));
        BOOST_CHECK(d.writing);
        BOOST_CHECK_MESSAGE(std::string(e.what()).find("version") != std::string::npos, e.what());
    }
    BOOST_CHECK_MESSAGE(refused, "the flush did not refuse version " << top + 1 << " of " << table);
    BOOST_CHECK(statements_starting(db.echo, "UPDATE").empty());  // nothing was sent
    BOOST_CHECK_EQUAL(std::int64_t{x->version}, top);            // the object did not wrap either
    s.rollback();
    dorm::session other(db.engine);
    auto row = other.get<T>(id);
    BOOST_REQUIRE(row);
    BOOST_CHECK_EQUAL(std::int64_t{row->version}, top);
    BOOST_CHECK_EQUAL(row->label, "last");
}
}  // namespace

BOOST_AUTO_TEST_CASE(an_int8_version_is_refused_before_it_wraps) {
    a_version_stops_at_the_end_of_its_type<Tiny>("tiny_counter");
}

BOOST_AUTO_TEST_CASE(a_uint8_version_is_refused_before_it_wraps) {
    a_version_stops_at_the_end_of_its_type<TinyUnsigned>("tiny_unsigned_counter");
}

BOOST_AUTO_TEST_CASE(an_int16_version_is_refused_before_it_wraps) {
    a_version_stops_at_the_end_of_its_type<Small>("small_counter");
}

BOOST_AUTO_TEST_SUITE_END()
