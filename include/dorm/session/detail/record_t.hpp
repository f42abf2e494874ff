#pragma once
/// @file dorm/session/detail/record_t.hpp
/// record<T>: the session's bookkeeping for one object of a mapped struct T — the object (held
/// inline, or the user's own shared_ptr), its snapshot (column values as the database has them)
/// and, during a transaction that changed it, the last committed values.
#include <memory>
#include <optional>
#include <tuple>
#include <utility>

#include <boost/mp11/algorithm.hpp>

#include <dorm/reflect/model.hpp>
#include <dorm/schema/table_of.hpp>
#include <dorm/session/detail/record.hpp>

namespace dorm::detail {

template <class M>
struct is_optional_member : std::false_type {};
template <class M>
struct is_optional_member<std::optional<M>> : std::true_type {};
template <class M>
struct is_sys_time_member : std::false_type {};
template <class D>
struct is_sys_time_member<std::chrono::sys_time<D>> : std::true_type {};

/// Assigns a dorm::value to a member of type M (FK sync, bulk update synchronisation).
template <class M>
void assign_from_value(M& out, const value& v) {
    if constexpr (is_optional_member<M>::value) {
        if (v.is_null()) {
            out.reset();
        } else {
            typename M::value_type inner{};
            assign_from_value(inner, v);
            out = std::move(inner);
        }
    } else if constexpr (adapted<M>) {
        typename type_adapter<M>::db_type db{};
        assign_from_value(db, v);
        out = type_adapter<M>::from_db(std::move(db));
    } else if constexpr (std::is_same_v<M, bool>) {
        out = v.as_int() != 0;
    } else if constexpr (std::is_integral_v<M>) {
        out = static_cast<M>(v.as_int());
    } else if constexpr (std::is_floating_point_v<M>) {
        out = static_cast<M>(v.as_double());
    } else if constexpr (std::is_same_v<M, std::string>) {
        out = v.as_text();
    } else if constexpr (std::is_same_v<M, blob>) {
        out = v.as_blob();
    } else if constexpr (std::is_enum_v<M>) {
        bool found = false;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<M>>([&](auto d) {
            if (!found && v.as_text() == d.name) {
                out = d.value;
                found = true;
            }
        });
        if (!found) throw_unknown_enumerator(v.as_text(), type_name<M>());
    } else if constexpr (is_sys_time_member<M>::value) {
        std::int64_t secs = 0, nanos = 0;
        parse_timestamp(v.as_text(), secs, nanos);
        out = M(std::chrono::duration_cast<typename M::duration>(std::chrono::seconds(secs) +
                                                                 std::chrono::nanoseconds(nanos)));
    } else if constexpr (std::is_same_v<M, std::chrono::year_month_day>) {
        int y = 0;
        unsigned mo = 0, d = 0;
        parse_date(v.as_text(), y, mo, d);
        out = std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(mo), std::chrono::day(d)};
    }
}

template <class T>
class record final : public record_base, public relation_hook {
public:
    using m = model<T>;
    static constexpr std::size_t N = m::column_count;
    static_assert(N <= 64, "dorm: a mapped struct can have at most 64 columns");
    using snapshot_t = boost::mp11::mp_rename<boost::mp11::mp_transform<member_of, typename m::columns>, std::tuple>;

    record() : record_base(&table_of<T>()), inline_(std::in_place), obj_(&*inline_) {}
    explicit record(T&& v) : record_base(&table_of<T>()), inline_(std::in_place, std::move(v)), obj_(&*inline_) {}
    explicit record(const T& v) : record_base(&table_of<T>()), inline_(std::in_place, v), obj_(&*inline_) {}
    explicit record(std::shared_ptr<T> ext)
        : record_base(&table_of<T>()), external_(std::move(ext)), obj_(external_.get()) {}

    T* get() const noexcept { return obj_; }
    /// The object as a shared_ptr sharing this record's ownership.
    std::shared_ptr<T> typed_ptr() {
        if (external_) return external_;
        return std::shared_ptr<T>(shared_from_this(), obj_);
    }

    void* object() noexcept override { return obj_; }
    std::shared_ptr<void> object_ptr() override { return typed_ptr(); }

    bool key(identity_key& out) const override { return key_of(*obj_, out); }

    /// The identity of an object of T.
    static bool key_of(const T& obj, identity_key& out) {
        out.table = &table_of<T>();
        out.s.clear();
        if constexpr (m::pk_count == 1 && std::is_integral_v<member_of<typename m::template column<m::pk[0]>>>) {
            out.i = static_cast<std::int64_t>(obj.*(m::template column<m::pk[0]>::pointer));
            return !(m::autoincrement() && out.i == 0);
        } else {
            out.i = 0;
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                (append_key_part(out.s, column_traits<member_of<typename m::template column<m::pk[I]>>>::to_value(
                                            obj.*(m::template column<m::pk[I]>::pointer))),
                 ...);
            }(std::make_index_sequence<m::pk_count>{});
            return true;
        }
    }

    /// The identity in a row whose columns start at `first` (table order).
    static void key_of_row(driver::statement& s, int first, identity_key& out) {
        out.table = &table_of<T>();
        if constexpr (m::pk_count == 1 && std::is_integral_v<member_of<typename m::template column<m::pk[0]>>>) {
            out.i = s.get_int(first + static_cast<int>(m::pk[0]));
        } else {
            out.i = 0;
            out.s.clear();
            for (auto p : m::pk) append_key_part(out.s, s.get(first + static_cast<int>(p)));
        }
    }

    column_mask changed() const override {
        if (!has_snapshot) return N == 64 ? ~column_mask{0} : ((column_mask{1} << N) - 1);
        column_mask mask = 0;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((same_value(obj_->*(m::template column<I>::pointer), std::get<I>(snap_)) ? 0
                                                                                         : (mask |= column_mask{1} << I, 0)),
             ...);
        }(std::make_index_sequence<N>{});
        return mask;
    }

    void bind_columns(driver::statement& s, const std::vector<int>& cols, int first,
                      bind_scratch& scratch) const override {
        int p = first;
        for (int c : cols) {
            boost::mp11::mp_with_index<N>(static_cast<std::size_t>(c), [&](auto I) {
                using D = typename m::template column<I>;
                column_traits<member_of<D>>::bind(s, p, obj_->*(D::pointer), scratch);
            });
            ++p;
        }
    }
    void bind_all(driver::statement& s, int skip, bind_scratch& scratch) const override {
        int p = 0;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((static_cast<int>(I) == skip
                  ? void()
                  : column_traits<member_of<typename m::template column<I>>>::bind(
                        s, p++, obj_->*(m::template column<I>::pointer), scratch)),
             ...);
        }(std::make_index_sequence<N>{});
    }
    void bind_key(driver::statement& s, int first, bind_scratch& scratch) const override {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (column_traits<member_of<typename m::template column<m::pk[I]>>>::bind(
                 s, first + static_cast<int>(I), key_source<m::pk[I]>(), scratch),
             ...);
        }(std::make_index_sequence<m::pk_count>{});
    }
    void column_values(const std::vector<int>& cols, std::vector<value>& out) const override {
        for (int c : cols) out.push_back(get_column(c));
    }
    void key_values(std::vector<value>& out) const override {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (out.push_back(column_traits<member_of<typename m::template column<m::pk[I]>>>::to_value(
                 key_source<m::pk[I]>())),
             ...);
        }(std::make_index_sequence<m::pk_count>{});
    }

    void read_row(driver::statement& s, int first) override { read_object(*obj_, s, first); }

    /// Reads a row (columns in table order from `first`) into an object.
    static void read_object(T& obj, driver::statement& s, int first) { detail::read_object(obj, s, first); }

    void set_generated_key(std::int64_t id) override {
        if constexpr (m::autoincrement()) {
            using D = typename m::template column<m::pk[0]>;
            obj_->*(D::pointer) = static_cast<member_of<D>>(id);
        }
        (void)id;
    }
    void clear_generated_key() override {
        if constexpr (m::autoincrement()) {
            using D = typename m::template column<m::pk[0]>;
            obj_->*(D::pointer) = member_of<D>{};
            if (has_snapshot) std::get<m::pk[0]>(snap_) = member_of<D>{};
        }
    }
    void set_column(int col, const value& v, bool also_snapshot) override {
        boost::mp11::mp_with_index<N>(static_cast<std::size_t>(col), [&](auto I) {
            using D = typename m::template column<I>;
            assign_from_value(obj_->*(D::pointer), v);
            if (also_snapshot && has_snapshot) std::get<I>(snap_) = obj_->*(D::pointer);
        });
    }
    value get_column(int col) const override {
        return boost::mp11::mp_with_index<N>(static_cast<std::size_t>(col), [&](auto I) {
            using D = typename m::template column<I>;
            return column_traits<member_of<D>>::to_value(obj_->*(D::pointer));
        });
    }

    void take_snapshot() override {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((std::get<I>(snap_) = obj_->*(m::template column<I>::pointer)), ...);
        }(std::make_index_sequence<N>{});
        has_snapshot = true;
    }
    void take_snapshot(column_mask cols) override {
        if (!has_snapshot) return take_snapshot();
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (((cols >> I) & 1 ? (void)(std::get<I>(snap_) = obj_->*(m::template column<I>::pointer)) : (void)0), ...);
        }(std::make_index_sequence<N>{});
    }
    void save_backup() override {
        if (has_backup || !has_snapshot) return;
        backup_ = std::make_unique<snapshot_t>(snap_);
        has_backup = true;
    }
    void drop_backup() noexcept override {
        backup_.reset();
        has_backup = false;
    }
    void restore_committed() override {
        if (has_backup) {
            snap_ = *backup_;
            drop_backup();
        }
        if (!has_snapshot) return;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((obj_->*(m::template column<I>::pointer) = std::get<I>(snap_)), ...);
        }(std::make_index_sequence<N>{});
    }

    void wire(session_impl* s, bool from_db) override;
    void related(std::vector<std::shared_ptr<record_base>>& out) override;
    void edges(std::vector<std::pair<record_base*, record_base*>>& out) override;
    void sync_parents() override;
    void propagate_to_children() override;
    void on_delete() override;
    void assoc_changes(std::vector<assoc_row>& inserts, std::vector<assoc_row>& deletes) override;
    void assoc_flushed() override;
    void release_cycles() override;
    void assoc_snapshot(std::size_t rel_index) override;

    // relation_hook (the record is the hook of its object's relationship members)
    void load_relationship(void* member);
    void relationship_changed(void* member, const std::shared_ptr<void>& child, bool added);

private:
    template <std::size_t C>
    const auto& key_source() const {
        if (has_snapshot) return std::get<C>(snap_);
        return obj_->*(m::template column<C>::pointer);
    }
    void load(void* member) override { load_relationship(member); }
    void changed(void* member, const std::shared_ptr<void>& child, bool added) override {
        relationship_changed(member, child, added);
    }
    template <class D>
    void load_rel();
    template <class D>
    void on_changed(const std::shared_ptr<void>& child, bool added);
    template <class D, class U>
    void deassociate(U& obj, int fk_col);

    std::optional<T> inline_;
    std::shared_ptr<T> external_;
    T* obj_;
    // many-to-many collections as last written / loaded, by relationship index: (object, key)
    std::vector<std::vector<std::pair<const void*, value>>> assoc_db_;
    snapshot_t snap_{};
    std::unique_ptr<snapshot_t> backup_;
};

}  // namespace dorm::detail
