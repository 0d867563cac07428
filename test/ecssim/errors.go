package ecssim

import (
	"fmt"
	"net/http"
	"strings"
)

// apiError is an Alibaba Cloud error answer: an HTTP status, a code and a
// message. Handlers return it; the HTTP layer renders it.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

// apiErr builds an apiError with a formatted message.
func apiErr(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// Error builders shared by many actions. Their messages follow the real
// service (aliyun-api.md §4.3).

func errMissing(name string) *apiError {
	return apiErr(http.StatusBadRequest, "MissingParameter",
		"The input parameter %q that is mandatory for processing this request is not supplied.", name)
}

func errInvalid(name string) *apiError {
	return apiErr(http.StatusBadRequest, "InvalidParameter", "The specified parameter %q is not valid.", name)
}

func errDryRun() *apiError {
	return apiErr(http.StatusBadRequest, "DryRunOperation", "Request validation has been passed with DryRun flag set.")
}

func errInstanceNotFound() *apiError {
	return apiErr(http.StatusNotFound, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
}

func errIncorrectInstanceStatus() *apiError {
	return apiErr(http.StatusForbidden, "IncorrectInstanceStatus",
		"The current status of the resource does not support this operation.")
}

func errSecurityGroupNotFound() *apiError {
	return apiErr(http.StatusNotFound, "InvalidSecurityGroupId.NotFound",
		"The SecurityGroupId provided does not exist in our records.")
}

func errVpcNotFound() *apiError {
	return apiErr(http.StatusNotFound, "InvalidVpcId.NotFound", "Specified VPC does not exist.")
}

func errVSwitchNotFound() *apiError {
	return apiErr(http.StatusNotFound, "InvalidVSwitchId.NotFound", "Specified virtual switch does not exist.")
}

func errInternal() *apiError {
	return apiErr(http.StatusInternalServerError, "InternalError",
		"The request processing has failed due to some unknown error.")
}

// knownErrors gives the status and message of codes a fault may name
// without saying more, so POST /_sim/faults {"action":"X","code":"Throttling"}
// answers like the real service.
var knownErrors = map[string]*apiError{
	"Throttling":                           {400, "", "Request was denied due to request throttling."},
	"Throttling.User":                      {400, "", "Request was denied due to user flow control."},
	"Throttling.Api":                       {400, "", "Request was denied due to api flow control."},
	"Throttling.Resource":                  {429, "", "The request throttle by resource operation."},
	"InternalError":                        {500, "", "The request processing has failed due to some unknown error."},
	"ServiceUnavailable":                   {503, "", "The request has failed due to a temporary failure of the server."},
	"OperationConflict":                    {409, "", "Request was denied due to conflict with a previous request."},
	"IdempotentProcessing":                 {403, "", "The previous idempotent request(s) is still processing."},
	"LastTokenProcessing":                  {403, "", "The last token request is processing."},
	"OperationDenied.NoStock":              {403, "", "The resource is out of usage."},
	"IncorrectInstanceStatus":              {403, "", "The current status of the resource does not support this operation."},
	"IncorrectInstanceStatus.Initializing": {403, "", "The specified instance status does not support this operation."},
	"DependencyViolation":                  {403, "", "There is still instance(s) in the specified security group."},
	"Forbidden.RAM":                        {403, "", "User not authorized to operate on the specified resource, or this API doesn't support RAM."},
	"QuotaExceed.ElasticQuota":             {403, "", "No additional quota is available for the specified ECS instance type."},
	"InvalidAccessKeyId.NotFound":          {404, "", "Specified access key is not found."},
	"InvalidInstanceId.NotFound":           {404, "", "The specified InstanceId does not exist."},
}

// faultError builds the error a fault answers with: explicit status and
// message win, then the knownErrors table, then a status guessed from the
// code's shape.
func faultError(code, message string, status int) *apiError {
	e := &apiError{status: status, code: code, message: message}
	if k, ok := knownErrors[code]; ok {
		if e.status == 0 {
			e.status = k.status
		}
		if e.message == "" {
			e.message = k.message
		}
	}
	if e.status == 0 {
		switch {
		case strings.HasSuffix(code, ".NotFound"):
			e.status = http.StatusNotFound
		case strings.HasPrefix(code, "Forbidden"):
			e.status = http.StatusForbidden
		default:
			e.status = http.StatusBadRequest
		}
	}
	if e.message == "" {
		e.message = "Injected fault " + code + "."
	}
	return e
}
