package e2e

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// checkReleaseArchive requires a release archive to hold exactly the driver
// binary at its root (where Rancher's download_driver.sh looks), executable,
// owned by 0:0, built for goos/goarch, statically linked on Linux, and
// stamped with version.
func checkReleaseArchive(t *testing.T, path, goos, goarch, version string) {
	t.Helper()
	want := harness.DriverBinary
	if goos == "windows" {
		want += ".exe"
	}
	var bin []byte
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		if len(zr.File) != 1 || zr.File[0].Name != want {
			t.Fatalf("%s holds %d entries (first %q), want only %s", path, len(zr.File), zr.File[0].Name, want)
		}
		rc, err := zr.File[0].Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		if bin, err = io.ReadAll(rc); err != nil {
			t.Fatal(err)
		}
	} else {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		if gz.Name != "" || !gz.ModTime.IsZero() {
			t.Errorf("%s: the gzip header keeps a name or time (not gzip -n)", path)
		}
		tr := tar.NewReader(gz)
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if bin != nil || hdr.Name != want {
				t.Fatalf("%s holds %q; want only %s at the root", path, hdr.Name, want)
			}
			if hdr.Mode&0o111 == 0 || hdr.Uid != 0 || hdr.Gid != 0 {
				t.Errorf("%s: %s has mode %o owner %d:%d, want executable and 0:0", path, hdr.Name, hdr.Mode, hdr.Uid, hdr.Gid)
			}
			if bin, err = io.ReadAll(tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	if bin == nil {
		t.Fatalf("%s holds no %s", path, want)
	}
	if !bytes.Contains(bin, []byte(version)) {
		if versionUsed(t) {
			t.Errorf("%s: the binary does not carry the version %s (driver.Version not stamped)", path, version)
		} else {
			t.Logf("%s: no version stamp in the binary: nothing reads driver.Version, so the linker drops it", path)
		}
	}
	checkExecutable(t, path, bin, goos, goarch)
}

func checkExecutable(t *testing.T, path string, bin []byte, goos, goarch string) {
	t.Helper()
	r := bytes.NewReader(bin)
	switch goos {
	case "linux":
		f, err := elf.NewFile(r)
		if err != nil {
			t.Fatalf("%s: not ELF: %v", path, err)
		}
		wantMachine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[goarch]
		if f.Machine != wantMachine {
			t.Errorf("%s: ELF machine %v, want %v", path, f.Machine, wantMachine)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
				t.Errorf("%s: dynamically linked (program header %v); want CGO_ENABLED=0", path, p.Type)
			}
		}
		if f.Section(".symtab") != nil {
			t.Errorf("%s: has a symbol table; want -s -w", path)
		}
	case "darwin":
		f, err := macho.NewFile(r)
		if err != nil {
			t.Fatalf("%s: not Mach-O: %v", path, err)
		}
		wantCPU := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[goarch]
		if f.Cpu != wantCPU {
			t.Errorf("%s: Mach-O CPU %v, want %v", path, f.Cpu, wantCPU)
		}
	case "windows":
		f, err := pe.NewFile(r)
		if err != nil {
			t.Fatalf("%s: not PE: %v", path, err)
		}
		if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
			t.Errorf("%s: PE machine %#x, want amd64", path, f.Machine)
		}
	}
}

// versionUsed reports whether any non-test code of the driver or main
// package reads driver.Version. Until something does, the linker discards
// the variable and its -X stamp, and the version check can only warn.
func versionUsed(t *testing.T) bool {
	t.Helper()
	root := repoRoot(t)
	files, _ := filepath.Glob(filepath.Join(root, "driver", "*.go"))
	files = append(files, filepath.Join(root, "main.go"))
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		declared := map[*ast.Ident]bool{} // identifiers that are not reads of the package variable
		used := false
		ast.Inspect(af, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for _, id := range n.Names {
					declared[id] = true
				}
			case *ast.Field:
				for _, id := range n.Names {
					declared[id] = true
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok {
					declared[id] = true
				}
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "driver" && n.Sel.Name == "Version" {
					used = true
				}
				declared[n.Sel] = true // a field or method of something else
			case *ast.Ident:
				if n.Name == "Version" && !declared[n] && filepath.Base(filepath.Dir(f)) == "driver" {
					used = true
				}
			}
			return true
		})
		if used {
			return true
		}
	}
	return false
}
