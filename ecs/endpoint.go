package ecs

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// product is one Alibaba Cloud API product as the RPC signer sees it.
type product struct {
	name    string // SDK product code, "Ecs" or "Vpc"
	version string // API version
	host    string // endpoint template prefix, "ecs" or "vpc"
	special map[string]string
}

var (
	productECS = product{name: "Ecs", version: "2014-05-26", host: "ecs", special: ecsEndpoints}
	productVPC = product{name: "Vpc", version: "2016-04-28", host: "vpc", special: vpcEndpoints}
)

// Public regions whose endpoint does not follow "<product>.<region>.aliyuncs.com",
// copied from the SDK's services/ecs and services/vpc endpoint maps (we do
// not import those packages; see DESIGN.md). Internal and test regions of
// those maps are left out.
var (
	ecsEndpoints = map[string]string{
		"cn-hangzhou":             "ecs-cn-hangzhou.aliyuncs.com",
		"cn-hangzhou-finance":     "ecs.aliyuncs.com",
		"cn-shanghai-finance-1":   "ecs-cn-hangzhou.aliyuncs.com",
		"cn-shenzhen-finance-1":   "ecs-cn-hangzhou.aliyuncs.com",
		"cn-beijing-finance-pop":  "ecs.aliyuncs.com",
		"cn-hongkong-finance-pop": "ecs.aliyuncs.com",
		"cn-beijing-gov-1":        "ecs.aliyuncs.com",
		"cn-north-2-gov-1":        "ecs.aliyuncs.com",
		"cn-wuhan":                "ecs.aliyuncs.com",
		"cn-zhangbei":             "ecs.aliyuncs.com",
		"cn-fujian":               "ecs-cn-hangzhou.aliyuncs.com",
		"cn-yushanfang":           "ecs.aliyuncs.com",
		"rus-west-1-pop":          "ecs.aliyuncs.com",
		"ap-northeast-2-pop":      "ecs.aliyuncs.com",
		"cn-edge-1":               "ecs.cn-qingdao-nebula.aliyuncs.com",
		"cn-zhengzhou-nebula-1":   "ecs.cn-qingdao-nebula.aliyuncs.com",
		"cn-huhehaote-nebula-1":   "ecs.cn-qingdao-nebula.aliyuncs.com",
		"cn-zhangjiakou-na62-a01": "ecs.cn-zhangjiakou.aliyuncs.com",
	}
	vpcEndpoints = map[string]string{
		"cn-hangzhou":             "vpc.aliyuncs.com",
		"cn-hangzhou-finance":     "vpc.aliyuncs.com",
		"cn-shanghai-finance-1":   "vpc.aliyuncs.com",
		"cn-shenzhen-finance-1":   "vpc.aliyuncs.com",
		"cn-beijing-finance-pop":  "vpc.aliyuncs.com",
		"cn-hongkong-finance-pop": "vpc.aliyuncs.com",
		"cn-beijing-gov-1":        "vpc.aliyuncs.com",
		"cn-north-2-gov-1":        "vpc.aliyuncs.com",
		"cn-wuhan":                "vpc.aliyuncs.com",
		"cn-zhangbei":             "vpc.aliyuncs.com",
		"cn-fujian":               "vpc.aliyuncs.com",
		"cn-yushanfang":           "vpc.aliyuncs.com",
		"rus-west-1-pop":          "vpc.aliyuncs.com",
		"ap-northeast-2-pop":      "vpc.aliyuncs.com",
		"cn-qingdao-nebula":       "vpc-nebula.cn-qingdao-nebula.aliyuncs.com",
		"cn-edge-1":               "vpc-nebula.cn-qingdao-nebula.aliyuncs.com",
		"cn-zhengzhou-nebula-1":   "vpc-nebula.cn-qingdao-nebula.aliyuncs.com",
		"cn-huhehaote-nebula-1":   "vpc-nebula.cn-qingdao-nebula.aliyuncs.com",
		"cn-zhangjiakou-na62-a01": "vpc.cn-zhangjiakou.aliyuncs.com",
	}
)

// publicEndpoint resolves the Alibaba Cloud host of p in region the way the
// SDK's "regional" endpoint rules do: the product's map entry, else
// "<product>.<region>.aliyuncs.com".
func (p product) publicEndpoint(region string) string {
	if h, ok := p.special[region]; ok {
		return h
	}
	return p.host + "." + region + ".aliyuncs.com"
}

// endpoint is where every call goes when Config.Endpoint is set.
type endpoint struct {
	scheme string // "HTTP" or "HTTPS", as the SDK wants it
	host   string // host[:port]
}

// parseEndpoint validates a base URL such as "http://127.0.0.1:8600" or
// "https://ecs.example": scheme http or https, a host, optionally a port and
// a trailing "/", nothing else.
func parseEndpoint(raw string) (endpoint, error) {
	bad := func(why string) (endpoint, error) {
		return endpoint{}, fmt.Errorf("invalid API endpoint %q: %s (want a base URL such as http://127.0.0.1:8600)", raw, why)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return bad("not a URL")
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "http" && scheme != "https":
		return bad("scheme must be http or https")
	case u.Host == "" || u.Hostname() == "":
		return bad("no host")
	case u.User != nil:
		return bad("credentials in the URL are not supported")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return bad("path, query and fragment are not supported")
	}
	if port := u.Port(); port == "" && strings.HasSuffix(u.Host, ":") {
		return bad("empty port")
	}
	return endpoint{scheme: strings.ToUpper(scheme), host: u.Host}, nil
}

// isLoopbackHost reports whether host (no port) is localhost or a loopback IP.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
