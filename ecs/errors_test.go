package ecs

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestServerErrorConversion(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("StartInstance", func(url.Values) (int, string) {
		return 404, errBody("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
	})
	c, _ := f.client(t)
	err := c.StartInstance(context.Background(), "i-missing")
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %T %v, want *APIError", err, err)
	}
	want := APIError{Action: "StartInstance", Code: "InvalidInstanceId.NotFound",
		Message: "The specified InstanceId does not exist.", RequestID: "REQ-ERR", HTTPStatus: 404}
	if *ae != want {
		t.Errorf("APIError = %+v, want %+v", *ae, want)
	}
	if got := err.Error(); got != "StartInstance: InvalidInstanceId.NotFound: The specified InstanceId does not exist. (RequestId: REQ-ERR)" {
		t.Errorf("Error() = %q", got)
	}
	if !IsNotFound(err) || IsRetryable(err) || len(f.got("StartInstance")) != 1 {
		t.Errorf("IsNotFound=%v IsRetryable=%v calls=%d", IsNotFound(err), IsRetryable(err), len(f.got("StartInstance")))
	}
}

func TestSignatureMismatchMessageIsCut(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("RunInstances", func(url.Values) (int, string) {
		return 400, errBody("SignatureDoesNotMatch", "Specified signature is not matched with our calculation.\n"+
			"server string to sign is:POST&%2F&AccessKeyId%3Dx%26Password%3DHunter2%26UserData%3Dc2VjcmV0")
	})
	c, _ := f.client(t)
	_, err := c.RunInstances(context.Background(), RunInstancesRequest{Password: "Hunter2", UserData: "c2VjcmV0"})
	msg := err.Error()
	if strings.Contains(msg, "Hunter2") || strings.Contains(msg, "c2VjcmV0") || strings.Contains(msg, "\n") {
		t.Errorf("error leaks the string to sign or spans lines: %q", msg)
	}
	if msg != "RunInstances: SignatureDoesNotMatch: Specified signature is not matched with our calculation. (RequestId: REQ-ERR)" {
		t.Errorf("Error() = %q", msg)
	}
}

func TestNonJSONErrorBody(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeZones", func(url.Values) (int, string) {
		return 502, "<html>\n<h1>502 Bad Gateway</h1> upstream http://ecs/?Password=Hunter2</html>"
	})
	c, _ := f.client(t, func(cfg *Config) { cfg.Retry.MaxAttempts = 2 })
	_, err := c.DescribeZones(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "" || ae.HTTPStatus != 502 {
		t.Fatalf("err = %v", err)
	}
	if !IsRetryable(err) || len(f.got("DescribeZones")) != 2 {
		t.Errorf("5xx not retried: calls=%d", len(f.got("DescribeZones")))
	}
	if s := err.Error(); strings.Contains(s, "Hunter2") || strings.Contains(s, "\n") || !strings.Contains(s, "HTTP 502") {
		t.Errorf("Error() = %q", s)
	}
}

func TestMalformedErrorBodyDoesNotPanic(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeRegions", func(url.Values) (int, string) { return 400, `{"Code":123,"Message":"x"}` })
	c, _ := f.client(t)
	if _, err := c.DescribeRegions(context.Background()); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Fatalf("err = %v", err)
	}
}

func TestNonJSONSuccessBody(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeRegions", func(url.Values) (int, string) { return 200, "not json" })
	c, _ := f.client(t)
	_, err := c.DescribeRegions(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "DescribeRegions: decode response") || IsRetryable(err) {
		t.Fatalf("err = %v", err)
	}
}

func TestTransportErrorURLStripped(t *testing.T) {
	t.Parallel()
	dead := closedPort(t)
	s := &sleeps{}
	c, err := NewClient(Config{
		Region: testRegion, AccessKeyID: testAK, AccessKeySecret: testSecret,
		Endpoint: "http://" + dead, Retry: RetryPolicy{MaxAttempts: 3, Sleep: s.sleep},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.RunInstances(context.Background(), RunInstancesRequest{ImageID: "img", Password: "Hunter2!x", UserData: "dXNlcmRhdGE="})
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	msg := err.Error()
	for _, leak := range []string{"Hunter2", "dXNlcmRhdGE", "Signature", "AccessKeyId", "?", testSecret} {
		if strings.Contains(msg, leak) {
			t.Errorf("error leaks %q: %s", leak, msg)
		}
	}
	var ue *url.Error
	if !strings.HasPrefix(msg, "RunInstances: ") || !errors.As(err, &ue) || ue.URL != "http://"+dead+"/" {
		t.Errorf("error = %q (url.Error %+v)", msg, ue)
	}
	if !IsRetryable(err) || len(s.all()) != 2 {
		t.Errorf("transport error: retryable=%v sleeps=%d, want true 2", IsRetryable(err), len(s.all()))
	}
}

func TestPredicates(t *testing.T) {
	t.Parallel()
	e := func(code string, status int) error {
		return fmt.Errorf("wrapped: %w", &APIError{Action: "X", Code: code, HTTPStatus: status})
	}
	notFound := []string{"InvalidInstanceId.NotFound", "InvalidSecurityGroupId.NotFound", "InvalidVpcId.NotFound",
		"InvalidVSwitchId.NotFound", "InvalidKeyPairName.NotFound", "InvalidAllocationId.NotFound", "InvalidInstanId.NotFound"}
	for _, c := range notFound {
		if !IsNotFound(e(c, 404)) {
			t.Errorf("IsNotFound(%s) = false", c)
		}
	}
	for _, c := range []string{"InvalidAccessKeyId.NotFound", "InvalidRegionId.NotFound", "InvalidAction.NotFound", "NotFound", "Forbidden.RegionNotFound"} {
		if IsNotFound(e(c, 404)) {
			t.Errorf("IsNotFound(%s) = true", c)
		}
	}
	for _, c := range []string{"Throttling", "Throttling.User", "Throttling.Api", "Throttling.Resource"} {
		if !IsThrottled(e(c, 400)) || !IsRetryable(e(c, 400)) {
			t.Errorf("%s not throttled+retryable", c)
		}
	}
	if IsThrottled(e("ThrottlingX", 400)) {
		t.Error("ThrottlingX is throttled")
	}
	for _, c := range []string{"ServiceUnavailable", "InternalError", "OperationConflict", "IdempotentProcessing", "LastTokenProcessing"} {
		if !IsRetryable(e(c, 400)) {
			t.Errorf("IsRetryable(%s) = false", c)
		}
	}
	for _, c := range []string{"InvalidParameter", "IncorrectInstanceStatus", "DependencyViolation", "DryRunOperation", "Forbidden.RAM"} {
		if IsRetryable(e(c, 400)) {
			t.Errorf("IsRetryable(%s) = true", c)
		}
	}
	if !IsRetryable(e("Whatever", 503)) || !IsRetryable(e("", 500)) {
		t.Error("5xx not retryable")
	}
	if !IsDryRunOK(e("DryRunOperation", 400)) || IsDryRunOK(e("InvalidParameter", 400)) || IsDryRunOK(nil) {
		t.Error("IsDryRunOK wrong")
	}
	if !IsCode(e("A.B", 400), "X", "A.B") || IsCode(e("A.B", 400), "A") || IsCode(errors.New("A.B"), "A.B") {
		t.Error("IsCode wrong")
	}
	if !IsCodeFamily(e("DependencyViolation.VSwitch", 400), "DependencyViolation") || IsCodeFamily(e("DependencyViolationX", 400), "DependencyViolation") {
		t.Error("IsCodeFamily wrong")
	}
	// Non-API errors: only transport errors are retryable.
	transport := fmt.Errorf("X: %w", &url.Error{Op: "Post", URL: "http://h/", Err: errors.New("connection refused")})
	cert := fmt.Errorf("X: %w", &url.Error{Op: "Post", URL: "https://h/", Err: x509.UnknownAuthorityError{}})
	canceled := fmt.Errorf("X: %w", &url.Error{Op: "Post", URL: "http://h/", Err: context.Canceled})
	if !IsRetryable(transport) || IsRetryable(cert) || IsRetryable(canceled) || IsRetryable(errors.New("x")) || IsRetryable(nil) {
		t.Error("transport classification wrong")
	}
	if IsNotFound(nil) || IsThrottled(errors.New("Throttling")) {
		t.Error("string matching on plain errors")
	}
}

func TestCleanMessage(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 400)
	got := cleanMessage(long)
	if len(got) > maxMessageLen+3 || !strings.HasSuffix(got, "...") || !strings.HasPrefix(got, "é") {
		t.Errorf("long message: len %d", len(got))
	}
	if got := cleanMessage("a\r\n\tb   c"); got != "a b c" {
		t.Errorf("cleanMessage folded = %q", got)
	}
	if got := cleanMessage("Bad. Server String To Sign Is:POST&x"); got != "Bad." {
		t.Errorf("cleanMessage cut = %q", got)
	}
	if got := (&APIError{Action: "A", HTTPStatus: 502, Message: "m"}).Error(); got != "A: HTTP 502: m" {
		t.Errorf("Error() without code/request id = %q", got)
	}
}

func TestRAMDenialAndMissingMessage(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("RunInstances", func(url.Values) (int, string) {
		return 403, `{"RequestId":"R1","Code":"NoPermission","Message":"not authorized","AccessDeniedDetail":{"AuthAction":"ecs:RunInstances","PolicyType":"AccountLevelIdentityBasedPolicy"}}`
	})
	f.onECS("DeleteInstance", func(url.Values) (int, string) { return 403, `{"RequestId":"R2","Code":"Forbidden"}` })
	c, _ := f.client(t)
	_, err := c.RunInstances(context.Background(), RunInstancesRequest{ImageID: "img"})
	if got := err.Error(); got != "RunInstances: NoPermission: not authorized (denied action: ecs:RunInstances) (RequestId: R1)" {
		t.Errorf("Error() = %q", got)
	}
	err = c.DeleteInstance(context.Background(), "i-1", true)
	if got := err.Error(); got != "DeleteInstance: Forbidden (RequestId: R2)" {
		t.Errorf("Error() = %q", got)
	}
}
