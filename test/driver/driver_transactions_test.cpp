// Transactions through the driver layer: commit and rollback, and queued (pipelined) executions
// read back in order.
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <dorm/error.hpp>

#include "driver_helpers.hpp"

BOOST_AUTO_TEST_CASE(transactions_commit_and_rollback) {
    auto c = open();
    drop(*c, "drv_tx");
    c->execute("CREATE TABLE drv_tx (id INTEGER PRIMARY KEY)" + opts());
    c->execute("BEGIN");
    run(*c, "INSERT INTO drv_tx (id) VALUES (?)", {1});
    c->execute("ROLLBACK");
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_tx") == 0);
    c->execute("BEGIN");
    run(*c, "INSERT INTO drv_tx (id) VALUES (?)", {2});
    c->execute("COMMIT");
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_tx") == 1);
    const auto all = rows(*c, "SELECT id FROM drv_tx");
    BOOST_REQUIRE(all.size() == 1);
    BOOST_TEST((all[0][0] == value(2)));
    drop(*c, "drv_tx");
}

BOOST_AUTO_TEST_CASE(queued_executions_are_read_back_in_order) {
    auto c = open();
    drop(*c, "drv_queue");
    c->execute("CREATE TABLE drv_queue (id " + t_autoinc_pk() + ", name VARCHAR(20) NOT NULL UNIQUE)" + opts());
    auto ins = c->prepare(ph(is_postgresql() ? "INSERT INTO drv_queue (name) VALUES (?) RETURNING id"
                                     : "INSERT INTO drv_queue (name) VALUES (?)"));
    if (!ins->can_queue()) {  // SQLite, MariaDB: one execution at a time
        BOOST_CHECK_THROW(ins->queue(), dorm::unsupported_error);
        BOOST_CHECK_THROW(ins->next_queued(), dorm::unsupported_error);
        drop(*c, "drv_queue");
        return;
    }
    // two batches on one statement; every result is read after its batch was sent
    c->execute("BEGIN");
    std::vector<std::int64_t> ids;
    for (int batch = 0; batch < 2; ++batch) {
        for (int i = 0; i < 300; ++i) {
            ins->bind_text(0, "n" + std::to_string(batch * 300 + i));
            ins->queue();
        }
        for (int i = 0; i < 300; ++i) {
            ins->next_queued();
            BOOST_REQUIRE(ins->step());
            ids.push_back(ins->get_int(0));
            BOOST_TEST(!ins->step());
            BOOST_TEST(ins->rows_affected() == 1);
            ins->reset();  // the rest of the batch stays readable
        }
        BOOST_CHECK_THROW(ins->next_queued(), dorm::argument_error);  // nothing left
    }
    c->execute("COMMIT");
    for (std::size_t i = 1; i < ids.size(); ++i) BOOST_TEST(ids[i] == ids[i - 1] + 1);
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_queue") == 600);
    BOOST_TEST(scalar_int(*c, "SELECT id FROM drv_queue WHERE name = ?", {"n599"}) == ids.back());

    // a failure in the middle: the executions before it ran, the first failure is thrown when its
    // result is read, the rest did not run; the transaction rolls back and the connection works
    c->execute("BEGIN");
    for (const char* name : {"x1", "x2", "n5", "x3", "x4"}) {
        ins->bind_text(0, name);
        ins->queue();
    }
    for (int i = 0; i < 2; ++i) {
        ins->next_queued();
        BOOST_TEST(ins->step());
        ins->reset();
    }
    BOOST_CHECK_THROW(ins->next_queued(), dorm::unique_violation);
    BOOST_CHECK_THROW(ins->next_queued(), dorm::argument_error);  // drained: nothing left to read
    c->execute("ROLLBACK");
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_queue") == 600);

    // another command in the middle of reading a batch discards the unread results (the
    // executions themselves ran: here outside a transaction, so they are committed)
    for (const char* name : {"y1", "y2", "y3"}) {
        ins->bind_text(0, name);
        ins->queue();
    }
    ins->next_queued();
    ins->reset();
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_queue WHERE name LIKE ?", {"y%"}) == 3);
    BOOST_CHECK_THROW(ins->next_queued(), dorm::argument_error);
    // queued and never read: reset() drains the batch (it ran inside the transaction, which rolls back)
    c->execute("BEGIN");
    ins->bind_text(0, "z1");
    ins->queue();
    ins->reset();
    c->execute("ROLLBACK");
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_queue WHERE name = ?", {"z1"}) == 0);
    // and the statement runs normally afterwards
    ins->bind_text(0, "after");
    BOOST_REQUIRE(ins->step());
    BOOST_TEST(ins->get_int(0) > ids.back());
    ins->reset();
    drop(*c, "drv_queue");
}

