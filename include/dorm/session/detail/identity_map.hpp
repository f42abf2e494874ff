#pragma once
/// @file dorm/session/detail/identity_map.hpp
/// The session's identity map: (table, primary key) -> record. Single integer keys (the common
/// case) live in a flat open-addressing table — no allocation per entry, one probe sequence per
/// lookup; other keys (serialized composite/text keys) in a node map, made on first use and
/// defined in lib/session/identity_map.cpp (no <unordered_map> in user translation units).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include <dorm/detail/owned_ptr.hpp>
#include <dorm/session/detail/record.hpp>

namespace dorm::detail {

class identity_map {
public:
    identity_map() noexcept;
    ~identity_map();
    identity_map(const identity_map&) = delete;
    identity_map& operator=(const identity_map&) = delete;

    /// The record with that identity, or nullptr.
    record_base* find(const identity_key& k) const noexcept;
    /// Inserts k -> r unless k is present; returns the record now stored under k.
    record_base* emplace(const identity_key& k, record_base* r);
    /// Where an insert of a key goes, found by the lookup that missed it (one probe per row read).
    struct insert_hint {
        std::size_t pos = static_cast<std::size_t>(-1);
        std::uint64_t version = 0;
    };
    /// find(k); when absent, also where k would be inserted (valid until the map changes).
    record_base* find(const identity_key& k, insert_hint& hint);
    /// emplace(k, r) at the hinted position when the map has not changed since (else a normal emplace).
    record_base* emplace(const identity_key& k, record_base* r, const insert_hint& hint);
    /// Removes k if it maps to r (any record when r is null).
    void erase(const identity_key& k, const record_base* r = nullptr) noexcept;
    void clear() noexcept;
    /// Room for `n` entries in all (no growth while inserting up to that many).
    void reserve(std::size_t n);
    /// Whether any record of table t is in the map.
    bool contains_table(const schema::table* t) const noexcept;
    std::size_t size() const noexcept;

private:
    struct slot {
        const schema::table* table;
        std::int64_t key;
        record_base* rec;  // nullptr: empty (erase shifts entries back: there are no tombstones)
    };
    std::size_t index_of(const schema::table* t, std::int64_t key) const noexcept;
    void grow();
    void rebuild(std::size_t slots);

    std::vector<slot> slots_;
    std::uint64_t version_ = 0;  // changes with every insert, erase, growth
    std::size_t size_ = 0;  // entries in slots_
    int shift_ = 64;
    struct other_map;  // (table, serialized key) -> record
    owned_ptr<other_map> others_;  // null until the first such key
    /// Live entries per table (lib/: its container is not compiled in user translation units).
    struct table_counts;
    owned_ptr<table_counts> per_table_;  // null until the first entry
    void count(const schema::table* t, int delta);
};

}  // namespace dorm::detail
