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
        if (s.rec != tombstone() && s.key == k.i && s.table == k.table) return s.rec;
    }
}

record_base* identity_map::find(const identity_key& k, insert_hint& hint) {
    hint.pos = static_cast<std::size_t>(-1);
    if (in_others(k)) return find(k);
    if ((used_ + 1) * 4 > slots_.size() * 3) grow();  // so that the hinted insert needs no growth
    const std::size_t mask = slots_.size() - 1;
    std::size_t first_free = slots_.size();
    for (std::size_t i = index_of(k.table, k.i);; i = (i + 1) & mask) {
        const slot& s = slots_[i];
        if (!s.rec) {
            if (first_free == slots_.size()) first_free = i;
            break;
        }
        if (s.rec == tombstone()) {
            if (first_free == slots_.size()) first_free = i;
            continue;
        }
        if (s.key == k.i && s.table == k.table) return s.rec;
    }
    hint.pos = first_free;
    hint.version = version_;
    return nullptr;
}

record_base* identity_map::emplace(const identity_key& k, record_base* r, const insert_hint& hint) {
    if (in_others(k) || hint.pos == static_cast<std::size_t>(-1) || hint.version != version_) return emplace(k, r);
    slot& s = slots_[hint.pos];
    if (!s.rec) ++used_;
    s = slot{k.table, k.i, r};
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
    while ((n + 1) * 4 > m * 3) m *= 2;  // the load limit of emplace(), with no tombstones left
    if (m > slots_.size() || (used_ != size_ && (n + (used_ - size_) + 1) * 4 > m * 3)) rebuild(m);
}

void identity_map::rebuild(std::size_t n) {
    thread_work_counts().identity_rebuild_slots += slots_.size();
    ++version_;
    std::vector<slot> old = std::move(slots_);
    slots_.assign(n, slot{nullptr, 0, nullptr});
    shift_ = 64;
    for (std::size_t m = n / 16; m > 1; m >>= 1) --shift_;  // n / 16 blocks
    used_ = size_;
    const std::size_t mask = n - 1;
    for (const slot& s : old) {
        if (!s.rec || s.rec == tombstone()) continue;
        std::size_t i = index_of(s.table, s.key);
        while (slots_[i].rec) i = (i + 1) & mask;
        slots_[i] = s;
    }
}

record_base* identity_map::emplace(const identity_key& k, record_base* r) {
    if (in_others(k)) {
        if (!others_) others_ = std::make_unique<other_map>();
        auto [it, inserted] = others_->emplace(std::make_pair(k.table, other_key(k)), r);
        if (inserted) count(k.table, +1);
        return it->second;
    }
    if ((used_ + 1) * 4 > slots_.size() * 3) grow();
    const std::size_t mask = slots_.size() - 1;
    std::size_t first_free = slots_.size();
    for (std::size_t i = index_of(k.table, k.i);; i = (i + 1) & mask) {
        slot& s = slots_[i];
        if (!s.rec) {
            if (first_free == slots_.size()) {
                first_free = i;
                ++used_;
            }
            break;
        }
        if (s.rec == tombstone()) {
            if (first_free == slots_.size()) first_free = i;
            continue;
        }
        if (s.key == k.i && s.table == k.table) return s.rec;
    }
    slots_[first_free] = slot{k.table, k.i, r};
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
    for (std::size_t i = index_of(k.table, k.i);; i = (i + 1) & mask) {
        slot& s = slots_[i];
        if (!s.rec) return;
        if (s.rec != tombstone() && s.key == k.i && s.table == k.table) {
            if (r && s.rec != r) return;
            s.rec = tombstone();
            --size_;
            ++version_;  // also voids insert hints: the slots below may become empty
            count(k.table, -1);
            // Tombstones just before an empty slot end no probe that could still reach a key
            // (a key's probe never crosses an empty slot): empty them. A session that loads and
            // lets go of objects one at a time then leaves no tombstones to rebuild away.
            if (!slots_[(i + 1) & mask].rec) {
                for (std::size_t j = i; slots_[j].rec == tombstone(); j = (j - 1) & mask) {
                    slots_[j].rec = nullptr;
                    --used_;
                }
            }
            return;
        }
    }
}

void identity_map::clear() noexcept {
    slots_.clear();
    if (others_) others_->clear();
    per_table_.clear();
    size_ = used_ = 0;
    shift_ = 64;
    ++version_;
}

void identity_map::count_other(const schema::table* t, int delta) {
    for (auto& [table, n] : per_table_)
        if (table == t) {
            n += delta;
            return;
        }
    per_table_.emplace_back(t, delta);
}

bool identity_map::contains_table(const schema::table* t) const noexcept {
    for (const auto& [table, n] : per_table_)
        if (table == t) return n > 0;
    return false;
}

}  // namespace dorm::detail
