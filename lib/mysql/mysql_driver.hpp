#pragma once
/// @file lib/mysql/mysql_driver.hpp
/// The MySQL / MariaDB driver (MariaDB Connector/C): its entry point. Server-side prepared
/// statements on the binary protocol; results are buffered on the client
/// (mysql_stmt_store_result) so that other statements can run on the connection while rows are
/// being read. The parts: mysql_session (the MYSQL handle a connection and its statements share),
/// mysql_errors (MariaDB error numbers as dorm errors), mysql_statement (prepare, execute, fetch),
/// mysql_values (parameter and result bindings, reading values), mysql_connection (connection
/// options and commands).
#include <memory>

#include <dorm/driver/driver.hpp>

namespace dorm {
struct url;
}

namespace dorm::driver::mysql {

/// Opens a connection for a `mysql://user:password@host:port/db` URL (also `mariadb://`).
/// Query parameters: unix_socket, connect_timeout, read_timeout, write_timeout, charset
/// (utf8mb4 only), ssl_ca, ssl_capath, ssl_cert, ssl_key, ssl_cipher.
/// `localhost` with a port and no unix_socket connects over TCP to 127.0.0.1.
/// @throws argument_error for an unknown parameter, operational_error when the server cannot be reached.
std::unique_ptr<driver::connection> connect(const url& u, const driver::connect_options& options);

}  // namespace dorm::driver::mysql
