package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// AddCredential makes the simulator accept a new AccessKey pair
// (POST /_sim/credentials). The secret is sent, never logged.
func (a Admin) AddCredential(ctx context.Context, id, secret string) error {
	return a.send(ctx, http.MethodPost, "/_sim/credentials", map[string]string{"id": id, "secret": secret})
}

// RevokeCredential makes the simulator reject an AccessKey from now on
// (DELETE /_sim/credentials/{id}).
func (a Admin) RevokeCredential(ctx context.Context, id string) error {
	return a.send(ctx, http.MethodDelete, "/_sim/credentials/"+url.PathEscape(id), nil)
}

// AdminFault is one POST /_sim/faults rule.
type AdminFault struct {
	Action      string `json:"action"`
	Code        string `json:"code,omitempty"`
	HTTPStatus  int    `json:"httpStatus,omitempty"`
	Times       int    `json:"times,omitempty"`
	Skip        int    `json:"skip,omitempty"`
	AfterEffect bool   `json:"afterEffect,omitempty"`
}

// AddFault installs a fault rule.
func (a Admin) AddFault(ctx context.Context, f AdminFault) error {
	return a.send(ctx, http.MethodPost, "/_sim/faults", f)
}

// CallsSince returns the API calls recorded after sequence number seq.
func (a Admin) CallsSince(ctx context.Context, seq int) ([]Call, error) {
	var calls []Call
	return calls, a.get(ctx, "/_sim/calls?since="+strconv.Itoa(seq), &calls)
}

// LastSeq is the sequence number of the last recorded call (0 if none).
func LastSeq(calls []Call) int {
	last := 0
	for _, c := range calls {
		last = max(last, c.Seq)
	}
	return last
}

func (a Admin) send(ctx context.Context, method, path string, body any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(a.URL, "/")+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(msg))
	}
	return nil
}
