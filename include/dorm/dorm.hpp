#pragma once
/// @file dorm/dorm.hpp
/// Umbrella header: includes only.
#include <boost/describe.hpp>

#include <dorm/dialect/dialect.hpp>
#include <dorm/engine/engine.hpp>
#include <dorm/engine/isolation.hpp>
#include <dorm/engine/url.hpp>
#include <dorm/engine/value.hpp>
#include <dorm/error.hpp>
#include <dorm/query/dml.hpp>
#include <dorm/query/execute.hpp>
#include <dorm/query/expression.hpp>
#include <dorm/query/result.hpp>
#include <dorm/query/select.hpp>
#include <dorm/query/text.hpp>
#include <dorm/reflect/column_traits.hpp>
#include <dorm/reflect/model.hpp>
#include <dorm/reflect/options.hpp>
#include <dorm/reflect/table_macro.hpp>
#include <dorm/schema/ddl.hpp>
#include <dorm/schema/diff.hpp>
#include <dorm/schema/inspect.hpp>
#include <dorm/schema/metadata.hpp>
#include <dorm/schema/migrations.hpp>
#include <dorm/schema/table_of.hpp>
#include <dorm/session/loaders.hpp>
#include <dorm/session/relationship.hpp>
#include <dorm/session/retry.hpp>
#include <dorm/session/session.hpp>
