// The flat identity map (see identity_map.hpp).
#include <dorm/session/detail/identity_map.hpp>
#include <dorm/session/detail/work_counts.hpp>

#include <string>
#include <unordered_map>

namespace dorm::detail {

namespace {
struct other_hash {
    std::size_t operator()(const std::pair<const schema::table*, std::string>& k) const noexcept {
        return std::hash<std::string>()(k.second) ^ (std::hash<const void*>()(k.first) << 1);
    }
};
}  // namespace

struct identity_map::other_map
    : std::unordered_map<std::pair<const schema::table*, std::string>, record_base*, other_hash> {};

/// A session maps few tables: a linear scan beats hashing.
struct identity_map::table_counts {
    std::vector<std::pair<const schema::table*, std::size_t>> by_table;
};

identity_map::identity_map() noexcept = default;
identity_map::~identity_map() = default;

std::size_t identity_map::size() const noexcept { return size_ + (others_ ? others_->size() : 0); }

namespace {
/// Keys that live in the node map: serialized (composite / text) keys, and every key of a shard
/// other than 0 (a dorm::sharded_engine session), prefixed with its shard ('#' never starts a
/// serialized key: append_key_part begins with a digit).
bool in_others(const identity_key& k) noexcept { return k.shard != 0 || !k.s.empty(); }
std::string other_key(const identity_key& k) {
    if (k.shard == 0) return k.s;
    return "#" + std::to_string(k.shard) + ":" + (k.s.empty() ? "i" + std::to_string(k.i) : k.s);
}
}  // namespace

std::size_t identity_map::index_of(const schema::table* t, std::int64_t key) const noexcept {
    // Keys are hashed in blocks of 16: consecutive ids (the common case: rows loaded in key
    // order) land in consecutive slots, so a bulk load walks the table almost sequentially;
    // the block number is spread with Fibonacci hashing so that strided keys do not cluster.
    const std::uint64_t k = static_cast<std::uint64_t>(key);
    const std::uint64_t block = (k >> 4) ^ (reinterpret_cast<std::uintptr_t>(t) >> 4);
    const std::uint64_t h = ((block * 0x9E3779B97F4A7C15ULL) >> shift_ << 4) | (k & 15);
    return static_cast<std::size_t>(h & (slots_.size() - 1));
}

record_base* identity_map::find(const identity_key& k) const noexcept {
    if (in_others(k)) {
        if (!others_) return nullptr;
        auto it = others_->find({k.table, other_key(k)});
        return it == others_->end() ? nullptr : it->second;
    }
    if (slots_.empty()) return nullptr;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = index_of(k.table, k.i);; i = (i + 1) & mask) {
        const slot& s = slots_[i];
        if (!s.rec) return nullptr;
        if (s.key == k.i && s.table == k.table) return s.rec;
    }
}

record_base* identity_map::find(const identity_key& k, insert_hint& hint) {
    hint.pos = static_cast<std::size_t>(-1);
    if (in_others(k)) return find(k);
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();  // so that the hinted insert needs no growth
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = index_of(k.table, k.i);
    for (;; i = (i + 1) & mask) {
        const slot& s = slots_[i];
        if (!s.rec) break;
        if (s.key == k.i && s.table == k.table) return s.rec;
    }
    hint.pos = i;  // the empty slot that ended the probe
    hint.version = version_;
    return nullptr;
}

record_base* identity_map::emplace(const identity_key& k, record_base* r, const insert_hint& hint) {
    if (in_others(k) || hint.pos == static_cast<std::size_t>(-1) || hint.version != version_) return emplace(k, r);
    slots_[hint.pos] = slot{k.table, k.i, r};
    ++size_;
    ++version_;
    count(k.table, +1);
    return r;
}

void identity_map::grow() {
    std::size_t n = slots_.empty() ? 64 : slots_.size();
    while (n * 3 / 4 <= size_ * 2 + 1) n *= 2;  // at most ~37% full after growing
    rebuild(n);
}

void identity_map::reserve(std::size_t n) {
    std::size_t m = slots_.empty() ? 64 : slots_.size();
    while ((n + 1) * 4 > m * 3) m *= 2;  // the load limit of emplace()
    if (m > slots_.size()) rebuild(m);
}

void identity_map::rebuild(std::size_t n) {
    thread_work_counts().identity_rebuild_slots += slots_.size();
    ++version_;
    std::vector<slot> old = std::move(slots_);
    slots_.assign(n, slot{nullptr, 0, nullptr});
    shift_ = 64;
    for (std::size_t m = n / 16; m > 1; m >>= 1) --shift_;  // n / 16 blocks
    const std::size_t mask = n - 1;
    for (const slot& s : old) {
        if (!s.rec) continue;
        std::size_t i = index_of(s.table, s.key);
        while (slots_[i].rec) i = (i + 1) & mask;
        slots_[i] = s;
    }
}

record_base* identity_map::emplace(const identity_key& k, record_base* r) {
    if (in_others(k)) {
        if (!others_) others_.reset(new other_map());
        auto [it, inserted] = others_->emplace(std::make_pair(k.table, other_key(k)), r);
        if (inserted) count(k.table, +1);
        return it->second;
    }
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = index_of(k.table, k.i);
    for (;; i = (i + 1) & mask) {
        const slot& s = slots_[i];
        if (!s.rec) break;
        if (s.key == k.i && s.table == k.table) return s.rec;
    }
    slots_[i] = slot{k.table, k.i, r};
    ++size_;
    ++version_;
    count(k.table, +1);
    return r;
}

void identity_map::erase(const identity_key& k, const record_base* r) noexcept {
    if (in_others(k)) {
        if (!others_) return;
        auto it = others_->find({k.table, other_key(k)});
        if (it != others_->end() && (!r || it->second == r)) {
            others_->erase(it);
            count(k.table, -1);
        }
        return;
    }
    if (slots_.empty()) return;
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = index_of(k.table, k.i);
    for (;; i = (i + 1) & mask) {
        const slot& s = slots_[i];
        if (!s.rec) return;
        if (s.key == k.i && s.table == k.table) break;
    }
    if (r && slots_[i].rec != r) return;
    --size_;
    ++version_;  // also voids insert hints: entries move below
    count(k.table, -1);
    // Backward-shift deletion (no tombstones): the entries after the hole, up to the next empty
    // slot, move back into it when the hole lies on their probe path (between their home slot and
    // where they are), so that every probe still ends at the first empty slot after its key.
    for (std::size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
        const slot& s = slots_[j];
        if (!s.rec) break;
        const std::size_t home = index_of(s.table, s.key);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            slots_[i] = s;
            i = j;
        }
    }
    slots_[i] = slot{nullptr, 0, nullptr};
}

void identity_map::clear() noexcept {
    slots_.clear();
    if (others_) others_->clear();
    if (per_table_) per_table_->by_table.clear();
    size_ = 0;
    shift_ = 64;
    ++version_;
}

void identity_map::count(const schema::table* t, int delta) {
    if (!per_table_) per_table_.reset(new table_counts);  // (an erase only follows an insert)
    auto& counts = per_table_->by_table;
    if (!counts.empty() && counts.back().first == t) {  // the common case: one table
        counts.back().second += static_cast<std::size_t>(delta);
        return;
    }
    for (auto& [table, n] : counts)
        if (table == t) {
            n += static_cast<std::size_t>(delta);
            return;
        }
    counts.emplace_back(t, static_cast<std::size_t>(delta));
}

bool identity_map::contains_table(const schema::table* t) const noexcept {
    if (!per_table_) return false;
    for (const auto& [table, n] : per_table_->by_table)
        if (table == t) return n > 0;
    return false;
}

}  // namespace dorm::detail
