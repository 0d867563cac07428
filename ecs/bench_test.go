package ecs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
)

// The client's hot paths: building and signing a request, a whole call over
// loopback HTTP, and decoding a full DescribeInstances page.

// benchClient returns a Client aimed at an httptest server that answers
// every call with body.
func benchClient(b *testing.B, body []byte) *Client {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	c, err := NewClient(Config{Region: "cn-hangzhou", AccessKeyID: "bench-ak", AccessKeySecret: "bench-secret", Endpoint: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// benchRunRequest is a Rancher node's RunInstances: 12 KB of Base64 user
// data (a 30 KB install script after gzip) and the driver's tags.
func benchRunRequest() RunInstancesRequest {
	ud := make([]byte, 9*1024)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range ud {
		ud[i] = byte(r.IntN(256))
	}
	return RunInstancesRequest{
		ImageID: "ubuntu_24_04_x64_20G_alibase_20250101.vhd", InstanceType: "ecs.g7.large", ZoneID: "cn-hangzhou-h",
		VSwitchID: "vsw-bp1bench", SecurityGroupIDs: []string{"sg-bp1bench"}, InstanceName: "pool1-abcde",
		HostName: "pool1-abcde", KeyPairName: "docker-machine-pool1-abcde", UserData: base64.StdEncoding.EncodeToString(ud),
		InternetMaxBandwidthOut: 1, SystemDiskCategory: "cloud_essd", SystemDiskSize: 40, ClientToken: "bench-token",
		Tags: []Tag{{Key: "docker-machine-name", Value: "pool1-abcde"}, {Key: "managed-by", Value: "aliyunecs"}},
	}
}

// benchSign builds the SDK request of action with q and signs it, as
// Client.send does, without sending it.
func benchSign(b *testing.B, action string, q params) {
	c := benchClient(b, []byte(`{}`))
	client := <-c.sdks
	defer func() { c.sdks <- client }()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := requests.NewCommonRequest()
		req.Method, req.Product, req.Version, req.ApiName = requests.POST, productECS.name, productECS.version, action
		req.RegionId, req.Scheme, req.Domain = c.region, c.endpoint.scheme, c.endpoint.host
		for k, v := range q {
			req.QueryParams[k] = v
		}
		req.TransToAcsRequest()
		if err := client.BuildRequestWithSigner(req, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignDescribeInstances(b *testing.B) {
	q := params{}
	q.setJSONList("InstanceIds", []string{"i-bp1benchbenchbench"})
	q["PageNumber"], q["PageSize"] = "1", "100"
	benchSign(b, "DescribeInstances", q)
}

func BenchmarkSignRunInstances(b *testing.B) {
	benchSign(b, "RunInstances", runInstancesParams(benchRunRequest()))
}

// BenchmarkCallDescribeRegions is one whole call: build, sign, HTTP over
// loopback, check and decode.
func BenchmarkCallDescribeRegions(b *testing.B) {
	c := benchClient(b, []byte(`{"RequestId":"R","Regions":{"Region":[{"RegionId":"cn-hangzhou","LocalName":"Hangzhou","RegionEndpoint":"ecs.cn-hangzhou.aliyuncs.com"}]}}`))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.DescribeRegions(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// instancePage is a DescribeInstances answer with n instances, shaped like
// the real API's.
func instancePage(n int) []byte {
	insts := make([]any, n)
	for i := range insts {
		name := fmt.Sprintf("pool1-%05d", i)
		insts[i] = map[string]any{
			"InstanceId": fmt.Sprintf("i-bp1%015d", i), "InstanceName": name, "HostName": name, "Status": "Running",
			"RegionId": "cn-hangzhou", "ZoneId": "cn-hangzhou-h", "InstanceType": "ecs.g7.large", "Cpu": 2, "Memory": 8192,
			"ImageId": "ubuntu_24_04_x64_20G_alibase_20250101.vhd", "KeyPairName": "docker-machine-" + name, "OSType": "linux",
			"CreationTime": "2025-01-01T10:18Z", "StartTime": "2025-01-01T10:19Z", "InstanceChargeType": "PostPaid",
			"InternetChargeType": "PayByTraffic", "InternetMaxBandwidthOut": 1, "Description": "", "SerialNumber": "8c3b1f3a-0000",
			"PublicIpAddress": map[string]any{"IpAddress": []string{fmt.Sprintf("47.96.%d.%d", i/250, i%250+1)}},
			"InnerIpAddress":  map[string]any{"IpAddress": []string{}},
			"VpcAttributes": map[string]any{"VpcId": "vpc-bp1bench", "VSwitchId": "vsw-bp1bench", "NatIpAddress": "",
				"PrivateIpAddress": map[string]any{"IpAddress": []string{fmt.Sprintf("172.16.%d.%d", i/250, i%250+1)}}},
			"EipAddress":       map[string]any{"AllocationId": "", "IpAddress": "", "Bandwidth": 0},
			"SecurityGroupIds": map[string]any{"SecurityGroupId": []string{"sg-bp1bench"}},
			"NetworkInterfaces": map[string]any{"NetworkInterface": []any{map[string]any{
				"NetworkInterfaceId": fmt.Sprintf("eni-bp1%013d", i), "PrimaryIpAddress": fmt.Sprintf("172.16.%d.%d", i/250, i%250+1), "Type": "Primary"}}},
			"Tags": map[string]any{"Tag": []any{
				map[string]any{"TagKey": "docker-machine-name", "TagValue": name},
				map[string]any{"TagKey": "managed-by", "TagValue": "docker-machine-driver-aliyunecs"}}},
			"OperationLocks": map[string]any{"LockReason": []any{}},
		}
	}
	body, _ := json.Marshal(map[string]any{"RequestId": "R", "TotalCount": n, "PageNumber": 1, "PageSize": 100,
		"Instances": map[string]any{"Instance": insts}})
	return body
}

// BenchmarkDecodeDescribeInstancesPage100 decodes one page of 100 instances
// into the driver's Instance values, as DescribeInstances does per page.
func BenchmarkDecodeDescribeInstancesPage100(b *testing.B) {
	body := instancePage(100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var resp struct {
			page
			Instances struct{ Instance []wireInstance }
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			b.Fatal(err)
		}
		out := make([]Instance, 0, len(resp.Instances.Instance))
		for _, w := range resp.Instances.Instance {
			out = append(out, w.instance())
		}
		if len(out) != 100 {
			b.Fatalf("decoded %d instances", len(out))
		}
	}
}

// BenchmarkDescribeInstancesPage100 is the whole DescribeInstances call
// answering 100 instances, HTTP over loopback included.
func BenchmarkDescribeInstancesPage100(b *testing.B) {
	body := instancePage(100)
	c := benchClient(b, body)
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		got, err := c.DescribeInstances(ctx, InstanceQuery{VpcID: "vpc-bp1bench"})
		if err != nil || len(got) != 100 {
			b.Fatalf("DescribeInstances = %d, %v", len(got), err)
		}
	}
}
