package driver

import (
	"errors"
	"regexp"
	"strings"
)

// oneLine folds a (possibly joined) error into a single line: Rancher shows
// the last line of the job's output as the machine's failure message, so a
// multi-line error would lose its cause.
func oneLine(err error) error {
	if err == nil {
		return nil
	}
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
	return &lineError{msg: msg, err: err}
}

type lineError struct {
	msg string
	err error
}

func (e *lineError) Error() string { return e.msg }
func (e *lineError) Unwrap() error { return e.err }

// notFoundText matches what rancher-machine's rm takes for "the machine is
// already gone": any error containing "not found", case-insensitively.
var notFoundText = regexp.MustCompile(`(?i)not found`)

// removeError makes a Remove failure safe to return. rancher-machine treats
// an error whose text contains "not found" as success and forgets the
// machine, so a cloud message like "Specified access key is not found" (a
// revoked credential) would leak a running instance. Such text is reworded;
// the error code stays intact.
func removeError(err error) error {
	if err == nil {
		return nil
	}
	err = oneLine(err)
	msg := notFoundText.ReplaceAllString(err.Error(), "unknown")
	return &lineError{msg: msg, err: errors.Unwrap(err)}
}
