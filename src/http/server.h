// The HTTP/1.1 server: Boost.Beast over Asio with C++20 coroutines, one coroutine per connection,
// an io_context run by a pool of threads sized to the cores, keep-alive, and every limit from
// Limits enforced while reading (header and body size, idle and read timeouts, connections).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "http/limits.h"
#include "http/message.h"
#include "http/metrics.h"

namespace motcua {

// What the server hands each complete request to.
class HttpApp {
 public:
  virtual ~HttpApp() = default;
  // Produces the response for `req`. Must not throw; failures are error responses.
  virtual boost::asio::awaitable<Response> Handle(Request& req) = 0;
  virtual Metrics& metrics() = 0;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port
  size_t threads = 0;    // 0 = one per core
  Limits limits;
};

class Server {
 public:
  // Borrows `app`, which must outlive the server.
  Server(ServerOptions options, HttpApp& app);
  ~Server();
  // Binds and listens. Fails with kUnavailable (address in use, bad host).
  Status Listen();
  // The bound port (after Listen).
  uint16_t port() const { return port_; }
  // Serves until SIGINT/SIGTERM or Stop(); blocks the calling thread, which joins the pool.
  void Run();
  // Stops accepting and serving; callable from any thread.
  void Stop();

 private:
  boost::asio::awaitable<void> Accept();
  boost::asio::awaitable<void> Session(boost::asio::ip::tcp::socket socket);

  ServerOptions options_;
  HttpApp& app_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
};

}  // namespace motcua
