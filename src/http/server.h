// The HTTP/1.1 server: Boost.Beast over Asio with C++20 coroutines, one coroutine per connection,
// one single-threaded io_context per core (connections are dealt round-robin, so a connection
// never needs a strand and threads share no queue), keep-alive, and every limit from Limits
// enforced while reading (header and body size, idle and read timeouts, connections in all and
// per client address, bytes held for request bodies in all). Framing is strict (RFC 9112): a
// Transfer-Encoding other than one "chunked", or an HTTP/1.1 request without exactly one Host,
// is answered 400 and the connection closed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "http/connection_limits.h"
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
  // A fresh request id, for answers the server gives without the app (unreadable requests).
  virtual std::string NewRequestId() = 0;
  // True if the route for this method and raw target reads its body as a stream (uploads): the
  // server then hands Handle a Request with `body_stream` set instead of a `body`.
  virtual bool StreamsBody(std::string_view method, std::string_view target) const { return false; }
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port
  size_t threads = 0;    // 0 = one per core
  Limits limits;
  // Reverse proxies (exact peer addresses, e.g. the TLS proxy in front): for a request from one
  // of them the client is the last address of its X-Forwarded-For, so that per-client limits
  // count people, not the proxy; the proxy's own connections are not capped per client.
  // X-Forwarded-For from any other peer is ignored (anyone can write it).
  std::vector<std::string> trusted_proxies;
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
  // True iff `peer` is one of options_.trusted_proxies.
  bool IsTrustedProxy(std::string_view peer) const;
  // The client a request from `peer` stands for (see ServerOptions::trusted_proxies).
  std::string ClientOf(const std::string& peer, const Request& req) const;
  // Serves one connection; `admitted` is false when its address had max_connections_per_client
  // already (Accept counted it otherwise, and the session forgets it when it ends).
  boost::asio::awaitable<void> Session(boost::asio::ip::tcp::socket socket, std::string client_ip,
                                       bool admitted);

  ServerOptions options_;
  HttpApp& app_;
  // Before contexts_: sessions destroyed with the contexts give their counts back.
  ClientConnections clients_;
  BodyBudget bodies_{options_.limits.max_buffered_body_bytes};
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;  // [0] also accepts
  size_t next_context_ = 0;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
};

}  // namespace motcua
