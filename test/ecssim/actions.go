package ecssim

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
)

// API versions, one per product. The SDK sends both products to the same
// Domain, so the Version parameter is what routes a call.
const (
	versionECS = "2014-05-26"
	versionVPC = "2016-04-28"
	versionSLB = "2014-05-15"
)

// product is what differs between ECS and VPC at the gateway.
type product struct {
	name string // for Recommend links
	host string // HostId of error bodies
	// regionCode is the error for an unknown RegionId, which the two
	// products spell differently.
	regionCode string
}

var products = map[string]product{
	versionECS: {name: "Ecs", host: "ecs.aliyuncs.com", regionCode: "InvalidRegionId.NotFound"},
	versionVPC: {name: "Vpc", host: "vpc.aliyuncs.com", regionCode: "Forbidden.RegionNotFound"},
	versionSLB: {name: "Slb", host: "slb.aliyuncs.com", regionCode: "InvalidRegionId.NotFound"},
}

func (p product) regionNotFound() *apiError {
	return apiErr(http.StatusNotFound, p.regionCode, "The specified RegionId does not exist.")
}

func productFor(version string) product {
	if p, ok := products[version]; ok {
		return p
	}
	return products[versionECS]
}

// handler implements one action. It returns a value marshalled as the JSON
// body (RequestId is added by the HTTP layer) or an *apiError.
type handler func(c *call) (any, error)

type versionAction struct{ version, action string }

type actionSpec struct {
	h handler
	// global actions need no RegionId (DescribeRegions).
	global bool
	// idempotent actions honour ClientToken: a repeat with the same token
	// and parameters replays the first answer.
	idempotent bool
}

// actionTable is the one routing table of the simulator.
func actionTable() map[versionAction]actionSpec {
	ecs := map[string]actionSpec{
		"DescribeRegions":           {h: actDescribeRegions, global: true},
		"DescribeZones":             {h: actDescribeZones},
		"DescribeImages":            {h: actDescribeImages},
		"DescribeInstanceTypes":     {h: actDescribeInstanceTypes},
		"DescribeAvailableResource": {h: actDescribeAvailableResource},

		"CreateSecurityGroup":            {h: actCreateSecurityGroup, idempotent: true},
		"AuthorizeSecurityGroup":         {h: actAuthorizeSecurityGroup, idempotent: true},
		"RevokeSecurityGroup":            {h: actRevokeSecurityGroup, idempotent: true},
		"ModifySecurityGroupPolicy":      {h: actModifySecurityGroupPolicy},
		"DescribeSecurityGroups":         {h: actDescribeSecurityGroups},
		"DescribeSecurityGroupAttribute": {h: actDescribeSecurityGroupAttribute},
		"DeleteSecurityGroup":            {h: actDeleteSecurityGroup},

		"ImportKeyPair":    {h: actImportKeyPair},
		"CreateKeyPair":    {h: actCreateKeyPair},
		"DescribeKeyPairs": {h: actDescribeKeyPairs},
		"DeleteKeyPairs":   {h: actDeleteKeyPairs},

		"RunInstances":                  {h: actRunInstances, idempotent: true},
		"CreateInstance":                {h: actCreateInstance, idempotent: true},
		"DescribeInstances":             {h: actDescribeInstances},
		"DescribeInstanceStatus":        {h: actDescribeInstanceStatus},
		"DescribeInstanceAttribute":     {h: actDescribeInstanceAttribute},
		"DescribeUserData":              {h: actDescribeUserData},
		"StartInstance":                 {h: actStartInstance},
		"StopInstance":                  {h: actStopInstance},
		"RebootInstance":                {h: actRebootInstance},
		"DeleteInstance":                {h: actDeleteInstance},
		"DeleteInstances":               {h: actDeleteInstances, idempotent: true},
		"ModifyInstanceAttribute":       {h: actModifyInstanceAttribute},
		"ModifyInstanceMetadataOptions": {h: actModifyInstanceMetadataOptions},
		"AllocatePublicIpAddress":       {h: actAllocatePublicIpAddress},

		"CreateDeploymentSet":    {h: actCreateDeploymentSet, idempotent: true},
		"DescribeDeploymentSets": {h: actDescribeDeploymentSets},
		"DeleteDeploymentSet":    {h: actDeleteDeploymentSet},

		"TagResources":     {h: actTagResources},
		"UntagResources":   {h: actUntagResources},
		"ListTagResources": {h: actListTagResources},
		"AddTags":          {h: actAddTags},
		"RemoveTags":       {h: actRemoveTags},
		"DescribeTags":     {h: actDescribeTags},

		// Legacy ECS versions of VPC actions, sharing the VPC store.
		"AllocateEipAddress":    {h: actAllocateEipEcs, idempotent: true},
		"AssociateEipAddress":   {h: actAssociateEipEcs},
		"UnassociateEipAddress": {h: actUnassociateEipEcs},
		"ReleaseEipAddress":     {h: actReleaseEip},
		"DescribeEipAddresses":  {h: actDescribeEipsEcs},
		"DescribeVRouters":      {h: actDescribeVRouters},
		"DescribeRouteTables":   {h: actDescribeRouteTables},
		"CreateRouteEntry":      {h: actCreateRouteEntry, idempotent: true},
		"DeleteRouteEntry":      {h: actDeleteRouteEntry},
	}
	vpc := map[string]actionSpec{
		"CreateVpc":         {h: actCreateVpc, idempotent: true},
		"DescribeVpcs":      {h: actDescribeVpcs},
		"DeleteVpc":         {h: actDeleteVpc, idempotent: true},
		"CreateVSwitch":     {h: actCreateVSwitch, idempotent: true},
		"DescribeVSwitches": {h: actDescribeVSwitches},
		"DeleteVSwitch":     {h: actDeleteVSwitch},

		"AllocateEipAddress":    {h: actAllocateEipVpc, idempotent: true},
		"AssociateEipAddress":   {h: actAssociateEipVpc, idempotent: true},
		"UnassociateEipAddress": {h: actUnassociateEipVpc, idempotent: true},
		"ReleaseEipAddress":     {h: actReleaseEip},
		"DescribeEipAddresses":  {h: actDescribeEipsVpc},

		"TagResources":     {h: actTagResources},
		"UnTagResources":   {h: actUntagResources},
		"ListTagResources": {h: actListTagResources},
	}
	slb := map[string]actionSpec{
		"DescribeLoadBalancerAttribute": {h: actDescribeLoadBalancerAttribute},
		"AddBackendServers":             {h: actAddBackendServers},
		"RemoveBackendServers":          {h: actRemoveBackendServers},
	}
	t := map[versionAction]actionSpec{}
	for version, actions := range map[string]map[string]actionSpec{versionECS: ecs, versionVPC: vpc, versionSLB: slb} {
		for a, s := range actions {
			t[versionAction{version, a}] = s
		}
	}
	return t
}

// Idempotency (ClientToken). Tokens are scoped to region, product and
// action, like the real service; a failed call forgets its token so a retry
// can succeed.

type idemKey struct{ region, version, action, token string }

type idemEntry struct {
	hash string
	done bool
	body []byte
}

// idemBegin claims a token. It returns the body to replay for a completed
// identical request, an error for a different request or one still in
// progress, or (nil, nil) when the caller should run the action.
func (s *Server) idemBegin(key idemKey, hash string) ([]byte, *apiError) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	e, ok := s.st.idem[key]
	if !ok {
		s.st.idem[key] = &idemEntry{hash: hash}
		return nil, nil
	}
	if e.hash != hash {
		return nil, apiErr(http.StatusBadRequest, "IdempotentParameterMismatch",
			"Request uses a client token in a previous request but is not identical to that request.")
	}
	if !e.done {
		return nil, apiErr(http.StatusForbidden, "IdempotentProcessing", "The previous idempotent request(s) is still processing.")
	}
	return e.body, nil
}

func (s *Server) idemEnd(key idemKey, body []byte, ok bool) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	e := s.st.idem[key]
	if e == nil { // a Reset happened meanwhile
		return
	}
	if !ok {
		delete(s.st.idem, key)
		return
	}
	e.done, e.body = true, body
}

// signingParams are the common parameters that change on every attempt and
// so do not count when comparing two requests with the same ClientToken.
var signingParams = map[string]bool{
	"Signature": true, "SignatureNonce": true, "Timestamp": true, "SignatureMethod": true,
	"SignatureVersion": true, "SignatureType": true, "AccessKeyId": true, "SecurityToken": true,
	"BearerToken": true, "Format": true, "ClientToken": true,
}

func requestHash(p params) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		if !signingParams[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(p[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
