// The smallest program that uses dorm from another Meson project: an in-memory
// SQLite engine, one described struct, create_all, add + commit, query, print.
#include <dorm/dorm.hpp>

#include <exception>
#include <iostream>
#include <string>

struct Note {
    int id = 0;
    std::string text;
};
BOOST_DESCRIBE_STRUCT(Note, (), (id, text))

int main() {
    try {
        auto engine = dorm::create_engine("sqlite://");
        dorm::metadata<Note> meta;
        meta.create_all(engine);

        dorm::session session(engine);
        auto added = session.add(Note{.text = "hello from a consumer"});
        session.commit();

        auto notes = session.execute(dorm::select<Note>()).all();
        std::cout << "notes: " << notes.size() << '\n';
        for (auto const& note : notes) {
            std::cout << "note " << note->id << ": " << note->text << '\n';
        }
        std::cout << "same object: " << (notes.size() == 1 && notes.front().get() == added.get() ? "yes" : "no")
                  << '\n';
    } catch (std::exception const& e) {
        std::cerr << "consumer: error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
