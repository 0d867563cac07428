package ecssim

// The seeded catalogue: regions, zones, images, instance types and disk
// categories. It is static and shared by every region's state; only the
// default VPC and VSwitch are per-region resources (see store.seed).

// regionInfo describes one region of the catalogue.
type regionInfo struct {
	ID      string
	Code    string // two-character ID code, e.g. "bp" for cn-hangzhou
	NameZh  string
	NameEn  string
	ZoneIDs []string // the first one holds the default VSwitch
}

var regions = []regionInfo{
	{ID: "cn-hangzhou", Code: "bp", NameZh: "华东1（杭州）", NameEn: "China (Hangzhou)",
		ZoneIDs: []string{"cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k"}},
	{ID: "cn-beijing", Code: "2z", NameZh: "华北2（北京）", NameEn: "China (Beijing)",
		ZoneIDs: []string{"cn-beijing-h", "cn-beijing-i", "cn-beijing-j", "cn-beijing-k"}},
	{ID: "cn-shanghai", Code: "uf", NameZh: "华东2（上海）", NameEn: "China (Shanghai)",
		ZoneIDs: []string{"cn-shanghai-e", "cn-shanghai-f", "cn-shanghai-g", "cn-shanghai-l"}},
	{ID: "cn-shenzhen", Code: "wz", NameZh: "华南1（深圳）", NameEn: "China (Shenzhen)",
		ZoneIDs: []string{"cn-shenzhen-c", "cn-shenzhen-d", "cn-shenzhen-e", "cn-shenzhen-f"}},
	{ID: "cn-zhangjiakou", Code: "8v", NameZh: "华北3（张家口）", NameEn: "China (Zhangjiakou)",
		ZoneIDs: []string{"cn-zhangjiakou-a", "cn-zhangjiakou-b", "cn-zhangjiakou-c"}},
	{ID: "ap-southeast-1", Code: "t4", NameZh: "新加坡", NameEn: "Singapore",
		ZoneIDs: []string{"ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"}},
	{ID: "us-west-1", Code: "rj", NameZh: "美国（硅谷）", NameEn: "US (Silicon Valley)",
		ZoneIDs: []string{"us-west-1a", "us-west-1b"}},
	{ID: "eu-central-1", Code: "gw", NameZh: "德国（法兰克福）", NameEn: "Germany (Frankfurt)",
		ZoneIDs: []string{"eu-central-1a", "eu-central-1b"}},
}

// zoneLocalName returns a zone's display name, e.g. "China (Hangzhou) Zone H".
func (r *regionInfo) zoneLocalName(zoneID string, zh bool) string {
	letter := zoneID[len(zoneID)-1:]
	if zh {
		return r.NameZh + " 可用区" + upper(letter)
	}
	return r.NameEn + " Zone " + upper(letter)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func (r *regionInfo) hasZone(zoneID string) bool {
	for _, z := range r.ZoneIDs {
		if z == zoneID {
			return true
		}
	}
	return false
}

func findRegion(id string) *regionInfo {
	for i := range regions {
		if regions[i].ID == id {
			return &regions[i]
		}
	}
	return nil
}

// imageInfo is a public system image.
type imageInfo struct {
	ID           string
	Family       string
	OSName       string
	OSNameEn     string
	Platform     string
	Architecture string // x86_64 | arm64
	Size         int    // GiB
	CreationTime string
}

var images = []imageInfo{
	{ID: "ubuntu_24_04_x64_20G_alibase_20250722.vhd", Family: "acs:ubuntu_24_04_x64", OSName: "Ubuntu  24.04 64位",
		OSNameEn: "Ubuntu  24.04 64 bit", Platform: "Ubuntu", Architecture: "x86_64", Size: 20, CreationTime: "2025-07-22T08:12:31Z"},
	{ID: "ubuntu_24_04_arm64_20G_alibase_20250722.vhd", Family: "acs:ubuntu_24_04_arm64", OSName: "Ubuntu  24.04 64位 ARM版",
		OSNameEn: "Ubuntu  24.04 64 bit ARM Edition", Platform: "Ubuntu", Architecture: "arm64", Size: 20, CreationTime: "2025-07-22T08:20:02Z"},
	{ID: "ubuntu_22_04_x64_20G_alibase_20250722.vhd", Family: "acs:ubuntu_22_04_x64", OSName: "Ubuntu  22.04 64位",
		OSNameEn: "Ubuntu  22.04 64 bit", Platform: "Ubuntu", Architecture: "x86_64", Size: 20, CreationTime: "2025-07-22T07:58:44Z"},
	{ID: "ubuntu_22_04_arm64_20G_alibase_20250722.vhd", Family: "acs:ubuntu_22_04_arm64", OSName: "Ubuntu  22.04 64位 ARM版",
		OSNameEn: "Ubuntu  22.04 64 bit ARM Edition", Platform: "Ubuntu", Architecture: "arm64", Size: 20, CreationTime: "2025-07-22T08:03:15Z"},
	{ID: "aliyun_3_x64_20G_alibase_20250629.vhd", Family: "acs:alibaba_cloud_linux_3_2104_lts_x64", OSName: "Alibaba Cloud Linux  3.2104 LTS 64位",
		OSNameEn: "Alibaba Cloud Linux  3.2104 LTS 64 bit", Platform: "Aliyun", Architecture: "x86_64", Size: 20, CreationTime: "2025-06-29T10:01:09Z"},
	{ID: "aliyun_3_arm64_20G_alibase_20250629.vhd", Family: "acs:alibaba_cloud_linux_3_2104_lts_arm64", OSName: "Alibaba Cloud Linux  3.2104 LTS 64位 ARM版",
		OSNameEn: "Alibaba Cloud Linux  3.2104 LTS 64 bit ARM Edition", Platform: "Aliyun", Architecture: "arm64", Size: 20, CreationTime: "2025-06-29T10:12:40Z"},
	{ID: "debian_12_11_x64_20G_alibase_20250702.vhd", Family: "acs:debian_12_x64", OSName: "Debian  12.11 64位",
		OSNameEn: "Debian  12.11 64 bit", Platform: "Debian", Architecture: "x86_64", Size: 20, CreationTime: "2025-07-02T06:40:21Z"},
	{ID: "debian_12_11_arm64_20G_alibase_20250702.vhd", Family: "acs:debian_12_arm64", OSName: "Debian  12.11 64位 ARM版",
		OSNameEn: "Debian  12.11 64 bit ARM Edition", Platform: "Debian", Architecture: "arm64", Size: 20, CreationTime: "2025-07-02T06:51:37Z"},
}

// latestImageOfFamily returns the newest image of an ImageFamily.
func latestImageOfFamily(family string) *imageInfo {
	var best *imageInfo
	for i := range images {
		if images[i].Family == family && (best == nil || images[i].CreationTime > best.CreationTime) {
			best = &images[i]
		}
	}
	return best
}

func findImage(id string) *imageInfo {
	for i := range images {
		if images[i].ID == id {
			return &images[i]
		}
	}
	return nil
}

// instanceTypeInfo is an instance type of the catalogue. Every type is
// offered in every zone, with stock unless Server.SetStock took it away.
type instanceTypeInfo struct {
	ID       string
	Family   string
	Category string
	CPU      int
	MemGiB   float64
	Arch     string // X86 | ARM
	ENIs     int
}

var instanceTypes = []instanceTypeInfo{
	{"ecs.g7.large", "ecs.g7", "General-purpose", 2, 8, "X86", 3},
	{"ecs.g7.xlarge", "ecs.g7", "General-purpose", 4, 16, "X86", 4},
	{"ecs.g7.2xlarge", "ecs.g7", "General-purpose", 8, 32, "X86", 4},
	{"ecs.c7.large", "ecs.c7", "Compute-optimized", 2, 4, "X86", 3},
	{"ecs.c7.xlarge", "ecs.c7", "Compute-optimized", 4, 8, "X86", 4},
	{"ecs.r7.large", "ecs.r7", "Memory-optimized", 2, 16, "X86", 3},
	{"ecs.g8i.large", "ecs.g8i", "General-purpose", 2, 8, "X86", 3},
	{"ecs.u1-c1m2.large", "ecs.u1", "Universal", 2, 4, "X86", 2},
	{"ecs.u1-c1m4.xlarge", "ecs.u1", "Universal", 4, 16, "X86", 3},
	{"ecs.t6-c1m2.large", "ecs.t6", "Shared", 2, 4, "X86", 2},
	{"ecs.t6-c1m4.large", "ecs.t6", "Shared", 2, 8, "X86", 2},
	{"ecs.g8y.large", "ecs.g8y", "General-purpose", 2, 8, "ARM", 3},
	{"ecs.g8y.xlarge", "ecs.g8y", "General-purpose", 4, 16, "ARM", 4},
	{"ecs.c8y.large", "ecs.c8y", "Compute-optimized", 2, 4, "ARM", 3},
}

func findInstanceType(id string) *instanceTypeInfo {
	for i := range instanceTypes {
		if instanceTypes[i].ID == id {
			return &instanceTypes[i]
		}
	}
	return nil
}

// hourlyPrice is the simulated pay-as-you-go price per hour; only its
// relation to spot prices matters.
func (t *instanceTypeInfo) hourlyPrice() float64 {
	return 0.06*float64(t.CPU) + 0.01*t.MemGiB
}

// spotPrice is the simulated current spot market price: a fifth of the
// pay-as-you-go price, rounded to the three decimals the API uses.
func (t *instanceTypeInfo) spotPrice() float64 {
	return float64(int(t.hourlyPrice()*200+0.5)) / 1000
}

// ipv6PerENI is how many IPv6 addresses one ENI of the type can hold
// (DescribeInstanceTypes EniIpv6AddressQuantity, the RunInstances
// Ipv6AddressCount limit). Like the real families' tables it grows with
// the type: shared types get one, 2 vCPUs six, larger types ten.
func (t *instanceTypeInfo) ipv6PerENI() int {
	switch {
	case t.Category == "Shared":
		return 1
	case t.CPU <= 2:
		return 6
	default:
		return 10
	}
}

// imageArch maps an instance type architecture to the image one.
func (t *instanceTypeInfo) imageArch() string {
	if t.Arch == "ARM" {
		return "arm64"
	}
	return "x86_64"
}

// diskCategoryInfo is a disk category with its size limits in GiB.
type diskCategoryInfo struct {
	ID                   string
	SystemMin, SystemMax int
	DataMin, DataMax     int
}

var diskCategories = []diskCategoryInfo{
	{"cloud_essd", 20, 2048, 20, 32768},
	{"cloud_auto", 20, 2048, 1, 32768},
	{"cloud_essd_entry", 20, 2048, 10, 32768},
	{"cloud_efficiency", 20, 2048, 20, 32768},
	{"cloud_ssd", 20, 2048, 20, 32768},
	{"cloud", 20, 500, 5, 2000},
}

func findDiskCategory(id string) *diskCategoryInfo {
	for i := range diskCategories {
		if diskCategories[i].ID == id {
			return &diskCategories[i]
		}
	}
	return nil
}

func diskCategoryIDs() []string {
	out := make([]string, len(diskCategories))
	for i, d := range diskCategories {
		out[i] = d.ID
	}
	return out
}

func instanceTypeIDs() []string {
	out := make([]string, len(instanceTypes))
	for i, t := range instanceTypes {
		out[i] = t.ID
	}
	return out
}
