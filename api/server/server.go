package server

import (
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/version"
)

// Engine is what the API serves: the calls of api.md. *downloads.Manager
// implements it.
type Engine interface {
	Fetch(app string, req model.FetchRequest) (model.Registration, error)
	Get(app, id string) (model.Registration, bool)
	IDs(app string) []string
	Registration(uid string) (model.Registration, error)
	Abort(uid string) (bool, error)
	Pause(uid string) error
	Resume(uid string) error
	Release(uid string) error
	Click(uid string) error
	MatchAll(uid string, q model.MatchQuery) ([]model.Record, error)
	Match(uid string, q model.MatchQuery) (*model.Record, error)
	UpdateUI(uid string, event model.EventType, u model.UpdateUI) error
	Update(uid string, p model.RegistrationPatch) (model.Registration, error)
	Retry(uid string) (model.Registration, error)
	History(app string, q downloads.HistoryQuery) (model.RegistrationPage, error)
	Settings() model.Settings
	UpdateSettings(p model.SettingsPatch) (model.Settings, error)
	Subscribe(uid string) *downloads.Subscription
	Outbox() *downloads.Outbox
	Handlers() *downloads.Handlers
}

// Server serves api.md over one Engine.
type Server struct {
	engine  Engine
	token   string
	logger  *slog.Logger
	handler http.Handler
	live    *liveHandlers
	bodies  *bodyBudget
	hub     *hub
}

// New builds the API for e, requiring token on every request.
func New(e Engine, token string, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{engine: e, token: token, logger: logger, live: newLiveHandlers(), bodies: newBodyBudget(BodyBudget)}
	s.hub = newHub(e, logger)
	s.handler = guard(token, s.routes())
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// routes is the table of api.md, plus GET /v1/status and /v1/handler.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	route := func(path string, m methods) { mux.Handle(path, m) }

	route("/v1/status", methods{"GET": s.status})
	route("/v1/fetches", methods{"GET": s.listIDs, "POST": s.createFetch})
	route("/v1/fetches/{id...}", methods{"GET": s.getFetch})
	route("/v1/registrations", methods{"GET": s.history})
	route("/v1/registrations/{uid}", methods{"GET": s.getRegistration, "PATCH": s.patchRegistration})
	route("/v1/registrations/{uid}/retry", methods{"POST": s.retry})
	route("/v1/settings", methods{"GET": s.getSettings, "PATCH": s.patchSettings})
	route("/v1/registrations/{uid}/abort", methods{"POST": s.abort})
	route("/v1/registrations/{uid}/pause", methods{"POST": s.pause})
	route("/v1/registrations/{uid}/resume", methods{"POST": s.resume})
	route("/v1/registrations/{uid}/release", methods{"POST": s.release})
	route("/v1/registrations/{uid}/click", methods{"POST": s.click})
	route("/v1/registrations/{uid}/records", methods{"GET": s.records})
	route("/v1/registrations/{uid}/match", methods{"GET": s.match})
	route("/v1/registrations/{uid}/records/{index}/body", methods{"GET": s.body})
	route("/v1/events", methods{"GET": s.events})
	route("/v1/events/{eventId}/handled", methods{"POST": s.handled})
	route("/v1/handler", methods{"GET": s.getHandler, "PUT": s.putHandler, "DELETE": s.deleteHandler})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeErrorBody(w, http.StatusNotFound, model.NotFoundError, "no such endpoint: "+r.URL.Path)
	})
	return mux
}

// methods dispatches one path by method, answering others with a JSON 405.
type methods map[string]http.HandlerFunc

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := m[r.Method]; ok {
		h(w, r)
		return
	}
	if h, ok := m["GET"]; ok && r.Method == http.MethodHead {
		h(w, r)
		return
	}
	allowed := make([]string, 0, len(m))
	for k := range m {
		allowed = append(allowed, k)
	}
	sort.Strings(allowed)
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeErrorBody(w, http.StatusMethodNotAllowed, model.TypeError, r.Method+" is not allowed here; use "+strings.Join(allowed, " or "))
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, model.StatusInfo{Version: version.Version, App: appOf(r)})
}

// registrationOfApp finds the {uid} of the path within the request's app;
// another app's registration is a NotFoundError, never a leak.
func (s *Server) registrationOfApp(r *http.Request, uid string) (model.Registration, error) {
	reg, err := s.engine.Registration(uid)
	if err != nil {
		return model.Registration{}, err
	}
	if reg.App != appOf(r) {
		return model.Registration{}, model.NotFoundf("no registration %s in app %s", uid, appOf(r))
	}
	return reg, nil
}

// withRegistration resolves {uid} and runs fn, answering errors.
func (s *Server) withRegistration(w http.ResponseWriter, r *http.Request, fn func(reg model.Registration) error) {
	reg, err := s.registrationOfApp(r, r.PathValue("uid"))
	if err == nil {
		err = fn(reg)
	}
	if err != nil {
		s.writeError(w, r, err)
	}
}
