package ecssim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
)

// The admin API under /_sim/: plain JSON, no signature, for tests and
// humans. Every handler is a thin adapter over the Server method of the
// same purpose.

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeAdminError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// readJSON decodes a small JSON request body, rejecting unknown fields so a
// typo in a fault is not silently ignored.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (s *Server) adminResources(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Resources())
}

// adminCalls lists recorded calls; ?since=N returns only those after seq N.
func (s *Server) adminCalls(w http.ResponseWriter, r *http.Request) {
	var after int64
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeAdminError(w, http.StatusBadRequest, "since must be an integer")
			return
		}
		after = n
	}
	writeJSON(w, http.StatusOK, s.CallsSince(after))
}

func (s *Server) adminGuest(w http.ResponseWriter, r *http.Request) {
	info, err := s.Guest(r.PathValue("id"))
	switch {
	case errors.Is(err, ErrNotFound):
		writeAdminError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrNoGuest):
		writeAdminError(w, http.StatusConflict, err.Error())
	case err != nil:
		writeAdminError(w, http.StatusInternalServerError, err.Error())
	default:
		writeJSON(w, http.StatusOK, info)
	}
}

func (s *Server) adminListFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Faults())
}

func (s *Server) adminAddFault(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if err := readJSON(r, &f); err != nil {
		writeAdminError(w, http.StatusBadRequest, "bad fault: "+err.Error())
		return
	}
	if err := s.AddFault(f); err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.Faults())
}

func (s *Server) adminClearFaults(w http.ResponseWriter, _ *http.Request) {
	s.ClearFaults()
	writeJSON(w, http.StatusOK, []Fault{})
}

func (s *Server) adminListThrottle(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Throttles())
}

func (s *Server) adminSetThrottle(w http.ResponseWriter, r *http.Request) {
	var t ThrottleRule
	if err := readJSON(r, &t); err != nil || t.Action == "" {
		writeAdminError(w, http.StatusBadRequest, `want {"action":"NAME or *","perSecond":N,"code":"Throttling.User"}`)
		return
	}
	if err := s.SetThrottleRule(t); err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.Throttles())
}

func (s *Server) adminAddCredential(w http.ResponseWriter, r *http.Request) {
	var c Credential
	if err := readJSON(r, &c); err != nil {
		writeAdminError(w, http.StatusBadRequest, `want {"id":"...","secret":"...","token":"...","expiration":"RFC 3339"}`)
		return
	}
	if err := s.AddCredential(c); err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	// Never echo the secret.
	writeJSON(w, http.StatusOK, map[string]string{"id": c.ID})
}

func (s *Server) adminRevokeCredential(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.RevokeCredential(id) {
		writeAdminError(w, http.StatusNotFound, "unknown access key id")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id})
}

func (s *Server) adminReset(w http.ResponseWriter, _ *http.Request) {
	s.Reset()
	writeJSON(w, http.StatusOK, map[string]bool{"reset": true})
}
