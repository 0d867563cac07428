package ecs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"testing"
)

func TestDescribeSecurityGroupsServerCapsPageSize(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	const total, serverPage = 25, 10 // the server ignores our PageSize 50
	f.onECS("DescribeSecurityGroups", func(q url.Values) (int, string) {
		n, _ := strconv.Atoi(q.Get("PageNumber"))
		var groups []any
		for i := (n - 1) * serverPage; i < min(n*serverPage, total); i++ {
			groups = append(groups, map[string]any{
				"SecurityGroupId": fmt.Sprintf("sg-%d", i), "SecurityGroupName": "rancher-nodes", "Description": "d",
				"VpcId": "vpc-1", "Tags": map[string]any{"Tag": []any{map[string]any{"TagKey": "managed-by", "TagValue": "aliyunecs"}}},
			})
		}
		return 200, okBody(map[string]any{"TotalCount": total, "PageSize": serverPage, "SecurityGroups": map[string]any{"SecurityGroup": groups}})
	})
	c, _ := f.client(t)
	groups, err := c.DescribeSecurityGroups(context.Background(), SecurityGroupQuery{
		SecurityGroupIDs: []string{"sg-0", "sg-1"}, VpcID: "vpc-1", Name: "rancher-nodes", Tags: []Tag{{Key: "managed-by"}},
	})
	if err != nil || len(groups) != total {
		t.Fatalf("DescribeSecurityGroups: %d, %v", len(groups), err)
	}
	want := SecurityGroup{ID: "sg-0", Name: "rancher-nodes", Description: "d", VpcID: "vpc-1", Tags: []Tag{{Key: "managed-by", Value: "aliyunecs"}}}
	if !reflect.DeepEqual(groups[0], want) {
		t.Errorf("group[0] = %+v", groups[0])
	}
	calls := f.got("DescribeSecurityGroups")
	if len(calls) != 3 {
		t.Fatalf("pages = %d, want 3", len(calls))
	}
	wantParams(t, calls[0].Query, map[string]string{
		"SecurityGroupIds": `["sg-0","sg-1"]`, "VpcId": "vpc-1", "SecurityGroupName": "rancher-nodes",
		"Tag.1.Key": "managed-by", "Tag.1.Value": "", "PageSize": "50",
	})
}

func TestDescribeSecurityGroupAttribute(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeSecurityGroupAttribute", func(q url.Values) (int, string) {
		perm := map[string]any{"Direction": "ingress", "IpProtocol": "TCP", "PortRange": "22/22", "SourceCidrIp": "0.0.0.0/0",
			"SourceGroupId": "", "Policy": "Accept", "Priority": 1, "NicType": "intranet", "Description": "ssh"}
		next := "page-2"
		if q.Get("NextToken") == "page-2" {
			perm = map[string]any{"Direction": "ingress", "IpProtocol": "ALL", "PortRange": "-1/-1", "SourceGroupId": "sg-1",
				"Policy": "Accept", "Priority": "100", "NicType": "intranet"}
			next = ""
		}
		return 200, okBody(map[string]any{"SecurityGroupId": "sg-1", "SecurityGroupName": "g", "VpcId": "vpc-1",
			"InnerAccessPolicy": "Accept", "NextToken": next, "Permissions": map[string]any{"Permission": []any{perm}}})
	})
	c, _ := f.client(t)
	sg, err := c.DescribeSecurityGroupAttribute(context.Background(), "sg-1")
	if err != nil {
		t.Fatal(err)
	}
	want := &SecurityGroup{ID: "sg-1", Name: "g", VpcID: "vpc-1", InnerAccessPolicy: "Accept", Rules: []Permission{
		{Direction: "ingress", IPProtocol: "TCP", PortRange: "22/22", SourceCidrIP: "0.0.0.0/0", Policy: "Accept", Priority: "1", NicType: "intranet", Description: "ssh"},
		{Direction: "ingress", IPProtocol: "ALL", PortRange: "-1/-1", SourceGroupID: "sg-1", Policy: "Accept", Priority: "100", NicType: "intranet"},
	}}
	if !reflect.DeepEqual(sg, want) {
		t.Errorf("got  %+v\nwant %+v", sg, want)
	}
	wantParams(t, f.got("DescribeSecurityGroupAttribute")[0].Query, map[string]string{"SecurityGroupId": "sg-1", "NextToken": ""})
}

func TestCreateAndAuthorizeSecurityGroup(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("2014-05-26", "CreateSecurityGroup", map[string]any{"SecurityGroupId": "sg-new"})
	f.reply("2014-05-26", "AuthorizeSecurityGroup", nil)
	c, _ := f.client(t)
	ctx := context.Background()
	id, err := c.CreateSecurityGroup(ctx, CreateSecurityGroupRequest{VpcID: "vpc-1", Name: "rancher-nodes", Description: "d",
		ResourceGroupID: "rg-1", ClientToken: "tok", Tags: []Tag{{Key: "k", Value: "v"}}})
	if err != nil || id != "sg-new" {
		t.Fatalf("CreateSecurityGroup = %q, %v", id, err)
	}
	wantParams(t, f.got("CreateSecurityGroup")[0].Query, map[string]string{"VpcId": "vpc-1", "SecurityGroupName": "rancher-nodes",
		"Description": "d", "ResourceGroupId": "rg-1", "ClientToken": "tok", "Tag.1.Key": "k", "Tag.1.Value": "v"})

	perms := []Permission{
		{IPProtocol: "TCP", PortRange: "6443/6443", SourceCidrIP: "0.0.0.0/0", Description: "k8s api"},
		{IPProtocol: "ALL", PortRange: "-1/-1", SourceGroupID: "sg-new", Policy: "Accept", Priority: "1", NicType: "internet"},
	}
	for i := 0; i < 150; i++ {
		perms = append(perms, Permission{IPProtocol: "UDP", PortRange: fmt.Sprintf("%d/%d", 30000+i, 30000+i), SourceCidrIP: "10.0.0.0/8"})
	}
	if err := c.AuthorizeSecurityGroup(ctx, "sg-new", perms); err != nil {
		t.Fatal(err)
	}
	calls := f.got("AuthorizeSecurityGroup")
	if len(calls) != 2 {
		t.Fatalf("calls = %d, want 2 (100 rules each)", len(calls))
	}
	wantParams(t, calls[0].Query, map[string]string{
		"SecurityGroupId": "sg-new", "Permissions.1.IpProtocol": "TCP", "Permissions.1.PortRange": "6443/6443",
		"Permissions.1.SourceCidrIp": "0.0.0.0/0", "Permissions.1.NicType": "intranet", "Permissions.1.Description": "k8s api",
		"Permissions.1.Policy": "", "Permissions.1.SourceGroupId": "", "Permissions.2.SourceGroupId": "sg-new",
		"Permissions.2.Priority": "1", "Permissions.2.NicType": "internet", "Permissions.100.IpProtocol": "UDP",
		"Permissions.101.IpProtocol": "", "IpProtocol": "",
	})
	wantParams(t, calls[1].Query, map[string]string{"Permissions.52.PortRange": "30149/30149", "Permissions.53.PortRange": ""})
	if err := c.AuthorizeSecurityGroup(ctx, "sg-new", nil); err != nil || len(f.got("AuthorizeSecurityGroup")) != 2 {
		t.Errorf("empty perms: %v", err)
	}
}

func TestKeyPairs(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("2014-05-26", "ImportKeyPair", map[string]any{"KeyPairName": "m1", "KeyPairFingerPrint": "aa:bb"})
	f.reply("2014-05-26", "DescribeKeyPairs", map[string]any{"TotalCount": 1, "KeyPairs": map[string]any{"KeyPair": []any{
		map[string]any{"KeyPairName": "m1", "KeyPairFingerPrint": "aa:bb", "Tags": map[string]any{"Tag": []any{map[string]any{"TagKey": "k", "TagValue": "v"}}}},
	}}})
	f.reply("2014-05-26", "DeleteKeyPairs", nil)
	c, _ := f.client(t)
	ctx := context.Background()
	kp, err := c.ImportKeyPair(ctx, ImportKeyPairRequest{Name: "m1", PublicKeyBody: "ssh-ed25519 AAAA m1", ResourceGroupID: "rg", Tags: []Tag{{Key: "k", Value: "v"}}})
	if err != nil || kp.Name != "m1" || kp.Fingerprint != "aa:bb" {
		t.Fatalf("ImportKeyPair = %+v, %v", kp, err)
	}
	wantParams(t, f.got("ImportKeyPair")[0].Query, map[string]string{"KeyPairName": "m1", "PublicKeyBody": "ssh-ed25519 AAAA m1",
		"ResourceGroupId": "rg", "Tag.1.Key": "k"})
	kps, err := c.DescribeKeyPairs(ctx, "m1")
	if err != nil || !reflect.DeepEqual(kps, []KeyPair{{Name: "m1", Fingerprint: "aa:bb", Tags: []Tag{{Key: "k", Value: "v"}}}}) {
		t.Fatalf("DescribeKeyPairs = %+v, %v", kps, err)
	}
	wantParams(t, f.got("DescribeKeyPairs")[0].Query, map[string]string{"KeyPairName": "m1", "PageNumber": "1", "PageSize": "50"})
	var names []string
	for i := range 150 {
		names = append(names, fmt.Sprintf("k%d", i))
	}
	if err := c.DeleteKeyPairs(ctx, names); err != nil {
		t.Fatal(err)
	}
	calls := f.got("DeleteKeyPairs")
	var first, second []string
	if len(calls) != 2 || json.Unmarshal([]byte(calls[0].Query.Get("KeyPairNames")), &first) != nil ||
		json.Unmarshal([]byte(calls[1].Query.Get("KeyPairNames")), &second) != nil || len(first) != 100 || len(second) != 50 {
		t.Fatalf("DeleteKeyPairs batches wrong: %d calls", len(calls))
	}
	if err := c.DeleteKeyPairs(ctx, nil); err != nil || len(f.got("DeleteKeyPairs")) != 2 {
		t.Errorf("DeleteKeyPairs(nil) called the API: %v", err)
	}
}
