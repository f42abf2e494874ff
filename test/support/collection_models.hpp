#pragma once
// Test support: the collection shapes the relationship-following tests share (foreign keys set
// directly, detached parents re-added): a back_populates pair whose collection deletes its orphans
// (Board / Task), a one-way collection whose child has the column only (Shelf / Volume), and
// `holds`. Each test executable has its own server and SQLite file, so the table names can be shared.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include <dorm/dorm.hpp>

namespace collection_models {
struct Task;
/// a back_populates pair whose collection deletes its orphans
struct Board {
    int id = 0;
    std::string title;
    dorm::many<Task> tasks;
};
BOOST_DESCRIBE_STRUCT(Board, (), (id, title, tasks))
DORM_TABLE(Board, "cm_board", (title, dorm::varchar(10)),
           (tasks, dorm::back_populates("board"), dorm::cascade("all, delete-orphan")))

struct Task {
    int id = 0;
    int board_id = 0;
    std::string text;
    dorm::one<Board> board;
};
BOOST_DESCRIBE_STRUCT(Task, (), (id, board_id, text, board))
DORM_TABLE(Task, "cm_task", (board_id, dorm::foreign_key(&Board::id)), (text, dorm::varchar(10)),
           (board, dorm::back_populates("tasks")))

/// a one-way collection: the child has the column only, no relationship back
struct Volume;
struct Shelf {
    int id = 0;
    std::string name;
    dorm::many<Volume> volumes;
};
BOOST_DESCRIBE_STRUCT(Shelf, (), (id, name, volumes))
DORM_TABLE(Shelf, "cm_shelf", (name, dorm::varchar(10)))

struct Volume {
    int id = 0;
    std::optional<int> shelf_id;
    std::string title;
};
BOOST_DESCRIBE_STRUCT(Volume, (), (id, shelf_id, title))
DORM_TABLE(Volume, "cm_volume", (shelf_id, dorm::foreign_key(&Shelf::id)), (title, dorm::varchar(10)))

/// Whether the collection holds this very object.
template <class T, class U>
bool holds(const dorm::many<T>& m, const std::shared_ptr<U>& obj) {
    return std::any_of(m.begin(), m.end(), [&](const auto& p) { return p == obj; });
}
/// Shelves "s1" (holding one volume) and "s2", committed; their keys.
struct two_shelves {
    int s1 = 0, s2 = 0, volume = 0;
    explicit two_shelves(dorm::engine& engine, const std::string& title = "v") {
        dorm::session s(engine);
        auto x = s.add(Shelf{.name = "s1"});
        auto y = s.add(Shelf{.name = "s2"});
        x->volumes.push_back(std::make_shared<Volume>(Volume{.title = title}));
        s.commit();
        s1 = x->id;
        s2 = y->id;
        volume = x->volumes[0]->id;
    }
};
}  // namespace collection_models
