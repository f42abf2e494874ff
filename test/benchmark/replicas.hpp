#pragma once
// Workload REPLICA (issue 18, item 6): read throughput of T threads (default 8), each running
// short read-only sessions (10 get<T>() of random keys per session), on an engine made of the
// primary alone and on one made of the primary and one replica (round-robin routing sends the
// reads to the replica). Needs DORM_TEST_URL and DORM_TEST_REPLICA_URL (test/servers/with_server.sh
// postgresql-replica / mysql-replica). Printed: reads/s of each configuration and their ratio.
// On one machine both servers share its cores, so the ratio shows what routing costs rather than
// what a replica on its own hardware adds.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <dorm/dorm.hpp>

namespace bench {

struct ReplicaItem {
    std::int64_t id = 0;
    std::string name;
    std::int64_t value = 0;
};
BOOST_DESCRIBE_STRUCT(ReplicaItem, (), (id, name, value))
DORM_TABLE(ReplicaItem, "bench_replica_item", (id, dorm::primary_key), (name, dorm::varchar(40)))

struct ReplicaParams {
    int threads = 8;
    int sessions_per_thread = 300;  ///< 10 reads each
    int rows = 2000;
    int reps = 3;
    bool pre_ping_alone = false;  ///< the primary-alone engine pre-pings too (as the replica's pool always does)
};

struct ReplicaRun {
    bool with_replica = false;
    double seconds = 0;
    std::int64_t reads = 0;
    std::int64_t checksum = 0;
    int replica_connections = 0;  ///< the replica pool's open connections afterwards
    int primary_connections = 0;
    double per_second() const { return seconds > 0 ? static_cast<double>(reads) / seconds : 0; }
};

inline ReplicaRun replica_run(const std::string& primary, const std::string& replica, bool with_replica,
                              const ReplicaParams& p) {
    dorm::engine_options o;
    o.pool_size = p.threads;
    if (with_replica) o.replicas = {replica};
    if (!with_replica && p.pre_ping_alone) o.pool_pre_ping = true;
    dorm::engine e = dorm::create_engine(primary, o);
    std::atomic<std::int64_t> reads{0}, sum{0};
    std::atomic<bool> failed{false};
    std::string failure;
    std::mutex failure_mutex;
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < p.threads; ++t)
        threads.emplace_back([&, t] {
            try {
                std::mt19937_64 rng(static_cast<std::uint64_t>(t) * 7919 + 1);
                std::uniform_int_distribution<std::int64_t> key(1, p.rows);
                std::int64_t my_reads = 0, my_sum = 0;
                for (int i = 0; i < p.sessions_per_thread; ++i) {
                    dorm::session s(e);
                    for (int k = 0; k < 10; ++k) {
                        auto item = s.get<ReplicaItem>(key(rng));
                        if (!item) throw std::runtime_error("a row is missing");
                        my_sum += item->value;
                        ++my_reads;
                    }
                    s.close();
                }
                reads += my_reads;
                sum += my_sum;
            } catch (const std::exception& ex) {
                std::lock_guard<std::mutex> lock(failure_mutex);
                failed = true;
                failure = ex.what();
            }
        });
    for (auto& th : threads) th.join();
    ReplicaRun r;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (failed) throw std::runtime_error("REPLICA: a reader failed: " + failure);
    r.with_replica = with_replica;
    r.reads = reads;
    r.checksum = sum;
    r.primary_connections = e.status().open;
    if (with_replica) r.replica_connections = e.replica_status(0).open;
    return r;
}

/// Seeds the primary, waits for the replica to have every row, then runs both configurations
/// `reps` times, interleaved. False when a check fails.
inline bool run_replica_reads(const std::string& primary, const std::string& replica, const ReplicaParams& p) {
    dorm::metadata<ReplicaItem> meta;
    dorm::engine seed_engine = dorm::create_engine(primary);
    meta.drop_all(seed_engine);
    meta.create_all(seed_engine);
    {
        std::vector<ReplicaItem> rows;
        for (int i = 1; i <= p.rows; ++i) rows.push_back(ReplicaItem{i, "item" + std::to_string(i), i % 97});
        dorm::session s(seed_engine);
        s.execute(dorm::insert<ReplicaItem>().values(rows));
        s.commit();
    }
    {  // replication is asynchronous: wait for the rows (at most 60 s)
        dorm::engine r = dorm::create_engine(replica);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        for (;;) {
            std::int64_t n = 0;
            try {
                auto c = r.connect();
                n = dorm::execute(c, dorm::text<std::int64_t>("SELECT count(*) FROM bench_replica_item")).scalar_one();
                c.rollback();
            } catch (const dorm::error&) {  // the table has not reached the replica yet
            }
            if (n == p.rows) break;
            if (std::chrono::steady_clock::now() > deadline)
                throw std::runtime_error("REPLICA: the replica has " + std::to_string(n) + " of " +
                                         std::to_string(p.rows) + " rows after 60 s");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    std::int64_t expected = 0;  // every run reads the same keys: the same sum
    bool ok = true;
    std::vector<double> alone, routed;
    std::printf("\nREPLICA: %d threads x %d read-only sessions x 10 get() of %d rows; primary alone%s vs primary + 1 "
                "replica, %d interleaved repetitions\n",
                p.threads, p.sessions_per_thread, p.rows, p.pre_ping_alone ? " (pool_pre_ping)" : "", p.reps);
    for (int rep = 0; rep < p.reps; ++rep)
        for (int k = 0; k < 2; ++k) {
            const bool with_replica = (k + rep) % 2 == 1;  // the order alternates
            ReplicaRun r = replica_run(primary, replica, with_replica, p);
            if (expected == 0) expected = r.checksum;
            const bool sum_ok = r.checksum == expected;
            // the reads went where the configuration says: to the replica's pool, not the primary's
            const bool routed_ok = !with_replica || (r.replica_connections > 0 && r.primary_connections == 0);
            ok = ok && sum_ok && routed_ok;
            std::printf("rep %d REPLICA %-18s %lld reads in %.3f s = %.0f/s (primary pool %d, replica pool %d)%s%s\n",
                        rep + 1, with_replica ? "primary+replica" : "primary-alone", static_cast<long long>(r.reads),
                        r.seconds, r.per_second(), r.primary_connections, r.replica_connections,
                        sum_ok ? "" : " CHECKSUM MISMATCH", routed_ok ? "" : " NOT ROUTED TO THE REPLICA");
            std::fflush(stdout);
            (with_replica ? routed : alone).push_back(r.per_second());
        }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v.empty() ? 0.0 : v[v.size() / 2];
    };
    const double a = median(alone), b = median(routed);
    std::printf("REPLICA read throughput (%d threads, median): primary alone %.0f/s, primary + 1 replica %.0f/s, "
                "ratio %.2f\n",
                p.threads, a, b, a > 0 ? b / a : 0.0);
    meta.drop_all(seed_engine);
    return ok;
}

}  // namespace bench
