// expect: dorm: joining the selected struct to itself needs an alias
#include "models.hpp"

struct Tree {
    int id = 0;
    std::optional<int> parent_id;
};
BOOST_DESCRIBE_STRUCT(Tree, (), (id, parent_id))
DORM_TABLE(Tree, "tree", (parent_id, dorm::foreign_key(&Tree::id)))

auto stmt = dorm::select<Tree>().join<Tree>();
