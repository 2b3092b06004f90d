// The route groups, one per area (each in its *_handlers.cc). Each group receives only the
// services it uses; handlers parse, make one service call and serialise. A route declares its
// access once, in its RouteDoc (auth, roles): the pipeline enforces it.
#pragma once

#include <functional>
#include <string>

#include "api/pools.h"
#include "common/clock.h"
#include "domain/auth/account_service.h"
#include "domain/auth/auth_service.h"
#include "domain/auth/login_throttle.h"
#include "domain/auth/rate_limiter.h"
#include "domain/calendar/calendar_service.h"
#include "domain/dossier/dossier_service.h"
#include "domain/dossier/lookup_service.h"
#include "domain/dossier/queue_service.h"
#include "domain/files/file_service.h"
#include "domain/forms/form_service.h"
#include "domain/ports/health.h"
#include "domain/reference/reference_data.h"
#include "http/limits.h"
#include "http/router.h"

namespace motcua {

// Role-name lists for RouteDoc::roles.
inline const std::vector<std::string> kOfficerRoles = {"reception", "specialist", "leader", "admin",
                                                       "auditor"};
inline const std::vector<std::string> kAnyRole = {"citizen", "reception", "specialist",
                                                  "leader",  "admin",     "auditor"};

struct SystemDeps {
  Health& health;
  std::function<void(std::string&)> render_metrics;  // appends every source's Prometheus text
  std::function<const std::string&()> openapi;       // the OpenAPI document
};
void RegisterSystemRoutes(Router& router, SystemDeps deps);

struct UnitDeps {
  ReferenceData& reference;
  AccountService& accounts;
  const Clock& clock;
  const Limits& limits;
};
void RegisterUnitRoutes(Router& router, UnitDeps deps);

struct CatalogDeps {
  ReferenceData& reference;
  const Limits& limits;
};
void RegisterCatalogRoutes(Router& router, CatalogDeps deps);

struct AuthDeps {
  AuthService& auth;
  AccountService& accounts;
  WorkPools& pools;
  RateLimiter& login_limiter;
  KeyedSlots& login_slots;  // logins a client may have waiting for the hashing pool
  const Clock& clock;
  const Limits& limits;
  bool cookie_secure = false;
};
void RegisterAuthRoutes(Router& router, AuthDeps deps);

struct DossierDeps {
  DossierService& dossiers;
  QueueService& queues;
  DossierLookup& lookup;
  ReferenceData& reference;
  const Clock& clock;
  const Limits& limits;
};
void RegisterDossierRoutes(Router& router, DossierDeps deps);
void RegisterNotificationRoutes(Router& router, DossierLookup& lookup);

struct FileDeps {
  FileService& files;
  WorkPools& pools;
  const Limits& limits;
};
void RegisterFileRoutes(Router& router, FileDeps deps);

struct CalendarDeps {
  CalendarService& calendar;
  const Clock& clock;
  const Limits& limits;
};
void RegisterCalendarRoutes(Router& router, CalendarDeps deps);

struct FormDeps {
  FormService& forms;
  WorkPools& pools;
  const Clock& clock;
};
void RegisterFormRoutes(Router& router, FormDeps deps);

void RegisterStaticRoutes(Router& router);

}  // namespace motcua
