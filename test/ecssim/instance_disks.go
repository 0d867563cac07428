package ecssim

import (
	"net/http"
	"strconv"
	"strings"
)

// diskSpec is one validated disk of a RunInstances request.
type diskSpec struct {
	category, name, description string
	device, pl, kmsKeyID        string
	size                        int
	encrypted                   bool
	deleteWithInstance          bool
}

// essdMinSize is the smallest ESSD of each performance level in GiB
// (aliyun-api.md §3.1 DataDisk.N.Size); PL1 is the default level.
var essdMinSize = map[string]int{"PL0": 1, "PL1": 20, "PL2": 461, "PL3": 1261}

// diskCodes are the error codes that differ between system and data disks.
type diskCodes struct {
	param        string // "SystemDisk" or "DataDisk.N"
	categoryCode string
	sizeCode     string
}

var systemDiskCodes = diskCodes{"SystemDisk", "InvalidSystemDiskCategory.ValueNotSupported", "InvalidSystemDiskSize.ValueNotSupported"}

// parseDisks reads SystemDisk.* and DataDisk.N.*.
func (r *runRequest) parseDisks(p params) *apiError {
	sd := diskSpec{
		category: defaultStr(p.get("SystemDisk.Category"), "cloud_essd"), name: p.get("SystemDisk.DiskName"),
		description: p.get("SystemDisk.Description"), pl: p.get("SystemDisk.PerformanceLevel"),
		kmsKeyID: p.get("SystemDisk.KMSKeyId"), deleteWithInstance: true, device: "/dev/xvda",
	}
	cat := findDiskCategory(sd.category)
	if cat == nil {
		return apiErr(http.StatusBadRequest, systemDiskCodes.categoryCode, "The specified parameter \"SystemDisk.Category\" is not valid.")
	}
	if aerr := sd.parseEncryption(p.get("SystemDisk.Encrypted"), "SystemDisk"); aerr != nil {
		return aerr
	}
	size, aerr := p.integer("SystemDisk.Size", max(40, r.image.Size))
	if aerr != nil {
		return apiErr(http.StatusBadRequest, systemDiskCodes.sizeCode, "The specified parameter SystemDisk.Size is not valid.")
	}
	if size < r.image.Size {
		return apiErr(http.StatusNotFound, "InvalidSystemDiskSize.LessThanImageSize", "The specified parameter SystemDisk.Size is less than the image size.")
	}
	sd.size = size
	if aerr := sd.checkSize(cat, true, systemDiskCodes); aerr != nil {
		return aerr
	}
	r.sysDisk = sd
	groups := p.structs("DataDisk")
	if len(groups) > 16 {
		return apiErr(http.StatusBadRequest, "InstanceDiskNumber.LimitExceed", "The total number of specified disk in an instance exceeds.")
	}
	for i, g := range groups {
		param := "DataDisk." + strconv.Itoa(i+1)
		codes := diskCodes{param, "InvalidDataDiskCategory.ValueNotSupported", "InvalidDataDiskSize.ValueNotSupported"}
		d := diskSpec{
			category: defaultStr(g["Category"], "cloud_efficiency"), name: g["DiskName"], description: g["Description"],
			pl: g["PerformanceLevel"], kmsKeyID: g["KMSKeyId"], deleteWithInstance: true,
			device: defaultStr(g["Device"], "/dev/xvd"+string(rune('b'+i))),
		}
		cat := findDiskCategory(d.category)
		if cat == nil {
			return apiErr(http.StatusBadRequest, codes.categoryCode, "The specified parameter \"%s.Category\" is not valid.", param)
		}
		if g["SnapshotId"] != "" {
			// The simulated account has no snapshots.
			return apiErr(http.StatusNotFound, "InvalidSnapshotId.NotFound", "The specified snapshot does not exist.")
		}
		if g["Size"] == "" {
			return errMissing(param + ".Size")
		}
		n, err := strconv.Atoi(g["Size"])
		if err != nil {
			return apiErr(http.StatusBadRequest, codes.sizeCode, "The specified parameter %s.Size is not valid.", param)
		}
		d.size = n
		if aerr := d.checkSize(cat, false, codes); aerr != nil {
			return aerr
		}
		if aerr := d.parseEncryption(g["Encrypted"], param); aerr != nil {
			return aerr
		}
		switch strings.ToLower(g["DeleteWithInstance"]) {
		case "", "true":
		case "false":
			d.deleteWithInstance = false
		default:
			return errInvalid(param + ".DeleteWithInstance")
		}
		r.dataDisks = append(r.dataDisks, d)
	}
	return nil
}

// checkSize validates the performance level and the size against the
// category's limits (and the ESSD level's minimum).
func (d *diskSpec) checkSize(cat *diskCategoryInfo, system bool, codes diskCodes) *apiError {
	lo, hi := cat.DataMin, cat.DataMax
	if system {
		lo, hi = cat.SystemMin, cat.SystemMax
	}
	if d.pl != "" {
		if cat.ID != "cloud_essd" || essdMinSize[d.pl] == 0 {
			return errInvalid(codes.param + ".PerformanceLevel")
		}
	} else if cat.ID == "cloud_essd" {
		d.pl = "PL1"
	}
	if cat.ID == "cloud_essd" {
		lo = essdMinSize[d.pl]
		if system {
			lo = max(lo, cat.SystemMin)
		}
	}
	if d.size < lo || d.size > hi {
		return apiErr(http.StatusBadRequest, codes.sizeCode, "The specified parameter %s.Size is not valid.", codes.param)
	}
	return nil
}

// parseEncryption reads Encrypted; KMSKeyId only makes sense on an
// encrypted disk.
func (d *diskSpec) parseEncryption(v, param string) *apiError {
	switch strings.ToLower(v) {
	case "":
	case "true":
		d.encrypted = true
	case "false":
	default:
		return errInvalid(param + ".Encrypted")
	}
	if d.kmsKeyID != "" && !d.encrypted {
		return errInvalid(param + ".KMSKeyId")
	}
	return nil
}
