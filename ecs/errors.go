package ecs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
)

// APIError is an error answered by the Alibaba Cloud API (any non-2xx
// response). Every *Client call returns it (possibly wrapped) for server-side
// failures; classify it with the predicates below rather than by text.
//
// It never carries the request URL or parameters: those can hold the
// instance password and user data.
type APIError struct {
	Action     string // API action, e.g. "RunInstances"
	Code       string // Alibaba error code, e.g. "InvalidInstanceId.NotFound"; empty for non-JSON bodies
	Message    string // server message, one line, secrets stripped
	RequestID  string // RequestId of the failed call, for support tickets
	HTTPStatus int    // HTTP status code of the answer
}

// Error renders "<Action>: <Code>: <Message> (RequestId: <id>)" on one line.
func (e *APIError) Error() string {
	code := e.Code
	if code == "" {
		code = fmt.Sprintf("HTTP %d", e.HTTPStatus)
	}
	s := e.Action + ": " + code
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RequestID != "" {
		s += " (RequestId: " + e.RequestID + ")"
	}
	return s
}

// maxMessageLen bounds APIError.Message; server messages are short, anything
// longer is an HTML error page or similar.
const maxMessageLen = 300

// cleanMessage makes a server message safe and loggable: the
// SignatureDoesNotMatch "server string to sign is:" tail (which echoes every
// request parameter, password and user data included) is cut, newlines are
// folded and the result is truncated.
func cleanMessage(msg string) string {
	if i := indexFold(msg, "string to sign is:"); i >= 0 {
		msg = strings.TrimSpace(msg[:i])
		if n := len(msg) - len("server"); n >= 0 && strings.EqualFold(msg[n:], "server") {
			msg = msg[:n]
		}
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > maxMessageLen {
		cut := maxMessageLen
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "..."
	}
	return msg
}

// indexFold is strings.Index ignoring ASCII case (sub must be ASCII); unlike
// lowering msg first, it keeps byte offsets valid for any UTF-8 input.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// nonJSONMessage describes a non-JSON error body without echoing it whole: a
// proxy's error page may quote the request URL, so only a short prefix before
// any '?' or '&' is kept.
func nonJSONMessage(body string) string {
	if body == "" {
		return "empty response body"
	}
	snippet := body
	if i := strings.IndexAny(snippet, "?&"); i >= 0 {
		snippet = snippet[:i]
	}
	snippet = cleanMessage(snippet)
	if len(snippet) > 64 {
		snippet = snippet[:64] + "..."
	}
	return fmt.Sprintf("non-JSON response (%d bytes): %s", len(body), snippet)
}

// convertError turns what the SDK returned for one attempt of action into our
// error shapes: *APIError for server answers, "<action>: <transport error>"
// with the URL reduced to scheme://host/ for transport failures.
func convertError(action string, err error) error {
	if err == nil {
		return nil
	}
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		ae := &APIError{
			Action:     action,
			Code:       se.ErrorCode(),
			RequestID:  se.RequestId(),
			HTTPStatus: se.HttpStatus(),
		}
		msg := se.Message()
		switch {
		case ae.Code == "":
			ae.Message = nonJSONMessage(msg)
		case strings.HasPrefix(strings.TrimSpace(msg), "{"):
			// No Message key: the SDK hands back the whole body.
			ae.Message = ""
		default:
			ae.Message = cleanMessage(msg)
		}
		if action, ok := se.AccessDeniedDetail()["AuthAction"].(string); ok && action != "" {
			ae.Message = strings.TrimSpace(ae.Message + " (denied action: " + cleanMessage(action) + ")")
		}
		if ae.Code == "SignatureDoesNotMatch" && strings.HasPrefix(se.Recommend(), "InvalidAccessKeySecret") {
			ae.Message += " (the access key secret is wrong)"
		}
		return ae
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", action, redactURLError(ue))
	}
	var ce *sdkerrors.ClientError
	if errors.As(err, &ce) {
		if origin := ce.OriginError(); origin != nil {
			if errors.As(origin, &ue) {
				return fmt.Errorf("%s: %s: %w", action, ce.ErrorCode(), redactURLError(ue))
			}
		}
		return fmt.Errorf("%s: %s: %s", action, ce.ErrorCode(), cleanMessage(ce.Message()))
	}
	return fmt.Errorf("%s: %w", action, err)
}

// redactURLError returns a copy of ue whose URL keeps only scheme and host:
// *url.Error prints the full URL, and ours carries every request parameter.
func redactURLError(ue *url.Error) *url.Error {
	cp := *ue
	cp.URL = ""
	if u, err := url.Parse(ue.URL); err == nil && u.Host != "" {
		cp.URL = u.Scheme + "://" + u.Host + "/"
	}
	return &cp
}

// apiCode returns the Alibaba error code carried by err, if any.
func apiCode(err error) (string, bool) {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code, true
	}
	return "", false
}

// IsCode reports whether err is an *APIError whose Code equals one of codes.
func IsCode(err error, codes ...string) bool {
	code, ok := apiCode(err)
	if !ok {
		return false
	}
	for _, c := range codes {
		if code == c {
			return true
		}
	}
	return false
}

// hasCodeFamily reports whether code is family or a sub-code "family.X".
func hasCodeFamily(code, family string) bool {
	return code == family || strings.HasPrefix(code, family+".")
}

// IsCodeFamily reports whether err is an *APIError whose Code is one of
// families or a sub-code of one ("DependencyViolation" matches
// "DependencyViolation.VSwitch").
func IsCodeFamily(err error, families ...string) bool {
	code, ok := apiCode(err)
	if !ok {
		return false
	}
	for _, f := range families {
		if hasCodeFamily(code, f) {
			return true
		}
	}
	return false
}

// configNotFound are ".NotFound" codes that mean the configuration is wrong
// (bad key, region or API), not that a resource is gone.
var configNotFound = map[string]bool{
	"InvalidAccessKeyId.NotFound": true,
	"InvalidRegionId.NotFound":    true,
	"InvalidAction.NotFound":      true,
}

// IsNotFound reports whether err says the addressed resource does not exist:
// any code ending in ".NotFound" (InvalidInstanceId.NotFound,
// InvalidSecurityGroupId.NotFound, InvalidVpcId.NotFound,
// InvalidVSwitchId.NotFound, InvalidKeyPairName.NotFound,
// InvalidAllocationId.NotFound, the VPC API's InvalidInstanId.NotFound, ...)
// except InvalidAccessKeyId.NotFound, InvalidRegionId.NotFound and
// InvalidAction.NotFound, which are configuration errors.
func IsNotFound(err error) bool {
	code, ok := apiCode(err)
	return ok && strings.HasSuffix(code, ".NotFound") && !configNotFound[code]
}

// IsThrottled reports whether err is a rate-limit answer: Throttling or any
// Throttling.* (User, Api, Resource).
func IsThrottled(err error) bool {
	code, ok := apiCode(err)
	return ok && hasCodeFamily(code, "Throttling")
}

// IsDryRunOK reports whether err is the DryRunOperation answer, i.e. a
// DryRun request passed validation.
func IsDryRunOK(err error) bool {
	return IsCode(err, "DryRunOperation")
}

// retryableCodes are transient server answers worth repeating unchanged.
var retryableCodes = map[string]bool{
	"ServiceUnavailable":   true,
	"InternalError":        true,
	"OperationConflict":    true,
	"IdempotentProcessing": true,
	"LastTokenProcessing":  true,
	"TOKEN_PROCESSING":     true,
}

// IsRetryable reports whether repeating the same request may succeed:
// throttling, any HTTP 5xx, ServiceUnavailable*, InternalError*,
// OperationConflict, IdempotentProcessing, LastTokenProcessing, and transport
// errors (connection refused/reset, per-attempt timeouts) other than TLS
// certificate failures and cancellation.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatus >= 500 || retryableCodes[ae.Code] || hasCodeFamily(ae.Code, "Throttling") ||
			hasCodeFamily(ae.Code, "ServiceUnavailable") || hasCodeFamily(ae.Code, "InternalError")
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		return false
	}
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verify           *tls.CertificateVerificationError
	)
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &verify) {
		return false
	}
	return true
}
