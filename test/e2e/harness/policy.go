package harness

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// RAMPolicy is an Alibaba Cloud RAM policy document.
type RAMPolicy struct {
	Version   string         `json:"Version"`
	Statement []RAMStatement `json:"Statement"`
}

// RAMStatement is one statement of a RAMPolicy.
type RAMStatement struct {
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource string   `json:"Resource"`
}

// LoadRAMPolicy reads a policy file and returns it with the set of actions
// its Allow statements grant ("ecs:RunInstances", ...).
func LoadRAMPolicy(path string) (RAMPolicy, map[string]bool, error) {
	var p RAMPolicy
	b, err := os.ReadFile(path)
	if err != nil {
		return p, nil, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, nil, fmt.Errorf("%s: %w", path, err)
	}
	set := map[string]bool{}
	for _, st := range p.Statement {
		if st.Effect != "Allow" {
			continue
		}
		for _, a := range st.Action {
			set[a] = true
		}
	}
	return p, set, nil
}

// APIProduct is one product the ecs package talks to: its RAM namespace
// ("ecs", "vpc", "slb") and API version.
type APIProduct struct {
	Namespace string
	Version   string
}

// DriverActions is what ScanDriverActions finds in the ecs package.
type DriverActions struct {
	// Actions are "namespace:Action" names, each with the first place that
	// sends it (file:line).
	Actions map[string]string
	// Products maps an API version to its product.
	Products map[string]APIProduct
}

// Sorted returns the action names in order.
func (d DriverActions) Sorted() []string {
	out := make([]string, 0, len(d.Actions))
	for a := range d.Actions {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// ActionOf names the RAM action of a recorded simulator call; calls of an
// unknown API version get the namespace "unknown".
func (d DriverActions) ActionOf(c Call) string {
	if p, ok := d.Products[c.Version]; ok {
		return p.Namespace + ":" + c.Action
	}
	return "unknown(" + c.Version + "):" + c.Action
}

// ScanDriverActions reads the Go sources of the ecs package in dir (tests
// excluded) and returns every API action it sends. It knows the package's
// conventions: products are package-level variables such as
// `productECS = product{name: "Ecs", version: "2014-05-26", ...}` and every
// call site passes a product variable immediately followed by the action
// name as a string literal (c.call(ctx, productECS, "RunInstances", ...)).
// A product variable followed by anything but a literal is an error, so an
// action can never slip past the scan.
func ScanDriverActions(dir string) (DriverActions, error) {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return DriverActions{}, err
	}
	var parsed []*ast.File
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			return DriverActions{}, err
		}
		parsed = append(parsed, af)
	}
	vars := map[string]APIProduct{}
	for _, af := range parsed {
		ast.Inspect(af, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					if p, ok := productLiteral(vs.Values[i]); ok {
						vars[name.Name] = p
					}
				}
			}
			return true
		})
	}
	if len(vars) == 0 {
		return DriverActions{}, fmt.Errorf("no product{name: ..., version: ...} variables found in %s", dir)
	}
	out := DriverActions{Actions: map[string]string{}, Products: map[string]APIProduct{}}
	for _, p := range vars {
		out.Products[p.Version] = p
	}
	var scanErr error
	// wrappers are functions that take the action name as a parameter and
	// pass it on with a product (c.backendCall(ctx, "AddBackendServers", ...)).
	type wrapper struct {
		param   int
		product APIProduct
	}
	wrappers := map[string]wrapper{}
	record := func(p APIProduct, fn *ast.FuncDecl, e ast.Expr, where string) {
		switch v := e.(type) {
		case *ast.BasicLit:
			if v.Kind == token.STRING {
				action, _ := strconv.Unquote(v.Value)
				if _, seen := out.Actions[p.Namespace+":"+action]; !seen {
					out.Actions[p.Namespace+":"+action] = where
				}
				return
			}
		case *ast.Ident:
			if idx := paramIndex(fn, v.Name); idx >= 0 {
				if _, ok := wrappers[fn.Name.Name]; !ok {
					wrappers[fn.Name.Name] = wrapper{param: idx, product: p}
				}
				return
			}
		}
		scanErr = fmt.Errorf("%s: the action name is neither a string literal nor a parameter of the enclosing function", where)
	}
	for {
		before := len(wrappers)
		for _, af := range parsed {
			for _, decl := range af.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					pos := fset.Position(call.Pos())
					where := filepath.Base(pos.Filename) + ":" + strconv.Itoa(pos.Line)
					if w, ok := wrappers[calleeName(call)]; ok {
						if arg := argAt(call.Args, w.param); arg != nil {
							record(w.product, fn, arg, where)
						}
					}
					for i, arg := range call.Args {
						if id, ok := arg.(*ast.Ident); ok {
							if p, ok := vars[id.Name]; ok {
								record(p, fn, argAt(call.Args, i+1), where)
							}
						}
					}
					return true
				})
			}
		}
		if len(wrappers) == before {
			break
		}
	}
	return out, scanErr
}

// calleeName is the name of the called function or method.
func calleeName(call *ast.CallExpr) string {
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// paramIndex is the position of the parameter called name in fn's
// signature, or -1.
func paramIndex(fn *ast.FuncDecl, name string) int {
	i := 0
	for _, field := range fn.Type.Params.List {
		if len(field.Names) == 0 {
			i++
			continue
		}
		for _, n := range field.Names {
			if n.Name == name {
				return i
			}
			i++
		}
	}
	return -1
}

func argAt(args []ast.Expr, i int) ast.Expr {
	if i < len(args) {
		return args[i]
	}
	return nil
}

// productLiteral recognises product{name: "Ecs", version: "2014-05-26", ...}.
func productLiteral(e ast.Expr) (APIProduct, bool) {
	cl, ok := e.(*ast.CompositeLit)
	if !ok {
		return APIProduct{}, false
	}
	if t, ok := cl.Type.(*ast.Ident); !ok || t.Name != "product" {
		return APIProduct{}, false
	}
	var name, version string
	for _, elt := range cl.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		key, _ := kv.Key.(*ast.Ident)
		lit, _ := kv.Value.(*ast.BasicLit)
		if key == nil || lit == nil || lit.Kind != token.STRING {
			continue
		}
		v, _ := strconv.Unquote(lit.Value)
		switch key.Name {
		case "name":
			name = v
		case "version":
			version = v
		}
	}
	if name == "" || version == "" {
		return APIProduct{}, false
	}
	return APIProduct{Namespace: strings.ToLower(name), Version: version}, true
}

// RenderRAMPolicy renders the least-privilege policy granting exactly
// actions, sorted, as indented JSON with a trailing newline.
func RenderRAMPolicy(actions []string) []byte {
	sorted := slices.Clone(actions)
	slices.Sort(sorted)
	p := RAMPolicy{Version: "1", Statement: []RAMStatement{{Effect: "Allow", Action: sorted, Resource: "*"}}}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		panic(err) // a fixed struct of strings always marshals
	}
	return append(b, '\n')
}
