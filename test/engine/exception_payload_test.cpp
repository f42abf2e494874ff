// The details dorm's exceptions carry (dorm::detail::exception_payload, made in lib/): copies
// share them and outlive the original, assignment and self-assignment keep them alive, a
// stale_data_error made from a message alone reads as empty, and copies made on several threads
// (an exception_ptr handed around) release the details once. ASan and TSan run this file.
#include <boost/test/unit_test.hpp>

#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <dorm/error.hpp>

BOOST_AUTO_TEST_SUITE(exception_payload)

BOOST_AUTO_TEST_CASE(a_copy_keeps_the_details_after_the_original_is_gone) {
    std::vector<dorm::data_error> kept;
    {
        dorm::data_error_details d;
        d.table = "person";
        d.column = "born";
        d.value = "'2300-01-01'";
        d.cpp_type = "std::chrono::sys_days";
        d.problem = "is out of range";
        dorm::data_error original(d, 7, "22008");
        kept.push_back(original);
    }
    const dorm::data_error& e = kept.front();
    BOOST_TEST(e.table() == "person");
    BOOST_TEST(e.column() == "born");
    BOOST_TEST(e.value() == "'2300-01-01'");
    BOOST_TEST(e.cpp_type() == "std::chrono::sys_days");
    BOOST_TEST(e.details().problem == "is out of range");
    BOOST_TEST(e.code() == 7);
    BOOST_TEST(e.sqlstate() == "22008");
    BOOST_TEST(std::string(e.what()).find("person") != std::string::npos);

    dorm::data_error message_only("bad value");  // details made from the message
    BOOST_TEST(message_only.details().problem == "bad value");
    BOOST_TEST(message_only.table().empty());
    message_only = e;  // assignment shares e's details, releases its own
    BOOST_TEST(message_only.table() == "person");
    auto& self = message_only;
    message_only = self;
    BOOST_TEST(message_only.column() == "born");
}

BOOST_AUTO_TEST_CASE(stale_data_and_migration_errors_carry_theirs) {
    dorm::stale_data_error plain("no details");
    BOOST_TEST(plain.table().empty());
    BOOST_TEST(plain.key().empty());
    BOOST_TEST(!plain.version().has_value());
    BOOST_TEST(plain.details().table.empty());

    dorm::stale_data_error full("row changed", dorm::stale_data_details{"doc", "id=5", 3});
    dorm::stale_data_error copy = full;
    plain = full;
    BOOST_TEST(copy.table() == "doc");
    BOOST_TEST(copy.key() == "id=5");
    BOOST_TEST(copy.version().value_or(-1) == 3);
    BOOST_TEST(plain.details().key == "id=5");

    dorm::migration_error none("nothing refused");
    BOOST_TEST(none.refused().empty());
    dorm::migration_error m("lossy", {{"book", "isbn", "drop column book.isbn", "its 3 values would be lost"}});
    dorm::migration_error m2 = m;
    BOOST_TEST(m2.refused().size() == 1u);
    BOOST_TEST(m2.refused()[0].why == "its 3 values would be lost");
}

BOOST_AUTO_TEST_CASE(copies_on_several_threads_release_the_details_once) {
    std::exception_ptr p;
    try {
        throw dorm::stale_data_error("row changed", dorm::stale_data_details{"doc", "id=1", 1});
    } catch (...) {
        p = std::current_exception();
    }
    std::vector<std::thread> threads;
    std::vector<std::string> seen(4);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 1000; ++i) {
                try {
                    std::rethrow_exception(p);
                } catch (const dorm::stale_data_error& e) {
                    dorm::stale_data_error copy = e;
                    seen[static_cast<std::size_t>(t)] = copy.key();
                }
            }
        });
    for (auto& th : threads) th.join();
    for (const auto& k : seen) BOOST_TEST(k == "id=1");
}

BOOST_AUTO_TEST_SUITE_END()
