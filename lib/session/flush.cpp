// The unit of work's algorithm: session_impl::flush and do_flush, step by step. The steps live in
// flush_order.cpp (what, in which order), flush_emit.cpp and flush_association_rows.cpp (the SQL)
// and flush_finish.cpp (the objects' state afterwards); flush.hpp declares what they share.
#include <algorithm>
#include <functional>

#include <dorm/session/detail/session_impl.hpp>
#include <dorm/session/detail/work_counts.hpp>

#include "session/address_maps.hpp"
#include "session/flush.hpp"

namespace dorm::detail {

namespace {
/// What cascade_into_flush() and has_changes() would find, in one pass, for the common case they
/// take a while to say nothing about (the flush before each query of a read-only unit of work):
/// watched objects of structs without relationships (no cascades, foreign keys or association
/// rows to follow) whose columns are as loaded.
bool unchanged_without_relationships(const std::vector<record_base*>& watched) {
    for (const record_base* r : watched) {
        if (r->layout().rel_count != 0 || persistent_columns_changed(*r)) return false;
    }
    return true;
}
}  // namespace

void session_impl::flush() {
    check_usable();
    if (flushing_) return;  // a lazy load inside a flush
    flushing_ = true;
    try {
        do_flush();
    } catch (const std::exception& e) {
        flush_failed(e.what());
        throw;
    } catch (...) {  // (an application callback's own exception type: the session must not stay "flushing")
        flush_failed("an exception not derived from std::exception");
        throw;
    }
    flushing_ = false;
}

void session_impl::flush_failed(const char* what) noexcept {
    flushing_ = false;
    failed_ = true;
    try {
        failure_ = what;
    } catch (...) {  // out of memory: the message stays as it was
    }
    release_connection();
}

void session_impl::do_flush() {
    thread_work_counts().flush_visits += pending_.size() + watch_.size() + deleted_.size();
    if (pending_.empty() && deleted_.empty() && unchanged_without_relationships(watch_)) {
        unhooked_refs::check(this);
        stop_watching_unheld();
        return;
    }
    if (maps_) maps_->rekeyed.clear();  // (left by a flush that failed)
    cascade_into_flush();
    if (!has_changes()) {
        stop_watching_unheld();  // nothing to write: forget clean objects nobody else holds
        return;
    }
    refuse_unstorable_values();

    write_connections conns(*this);  // each table's engine (dorm::binds); a transaction begins at its first write
    const flush_plan plan = plan_flush();
    version_journal versions;  // put back unless the flush gets to its end
    flush_writer writer(conns, dialect_, plan, scratch_, versions);
    writer.write_inserts_and_updates();
    writer.write_null_outs();
    write_association_rows(conns, dialect_, plan.inserts, watch_, deleted_);
    std::vector<record_base*> deletes = order_deletes(deleted_, plan.tables);
    std::vector<record_base*> switched_out;  // deleted objects whose row a new one took over
    if (!plan.switches.empty()) {
        for (const auto& sw : plan.switches) switched_out.push_back(sw.second);
        std::sort(switched_out.begin(), switched_out.end(), std::less<>());
        std::erase_if(deletes, [&](record_base* r) {
            return std::binary_search(switched_out.begin(), switched_out.end(), r, std::less<>());
        });
    }
    writer.write_deletes(deletes);

    // everything was written
    finish_flush(plan.inserts, writer.updates(), deletes, plan.switches);
    versions.keep();
}

void session_impl::refuse_unstorable_values() {
    // A value that cannot be stored is refused before any SQL is sent (data_error naming the
    // table, the column, the value and the C++ type); the flush fails as any other.
    for (auto* r : pending_) r->check_values();
    for (auto* r : watch_)
        if (r->state == object_state::persistent) {
            r->check_values();
            r->check_version_bump();  // a dorm::version member that would wrap
        }
}

}  // namespace dorm::detail
