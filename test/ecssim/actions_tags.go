package ecssim

import (
	"net/http"
	"sort"
)

// TagResources, UntagResources (VPC: UnTagResources) and ListTagResources
// of both products, and the legacy ECS AddTags, RemoveTags and
// DescribeTags.

// tagTargets resolves ResourceId.N to tag lists; every ID must exist.
func tagTargets(c *call, kind string, ids []string) ([]*[]Tag, *apiError) {
	rs := c.region()
	out := make([]*[]Tag, 0, len(ids))
	for _, id := range ids {
		list := rs.tagsOf(kind, id)
		if list == nil {
			return nil, errResourceNotFound()
		}
		out = append(out, list)
	}
	return out, nil
}

func actTagResources(c *call) (any, error) {
	kind, aerr := c.tagType()
	if aerr != nil {
		return nil, aerr
	}
	ids, aerr := resourceIDs(c.p, true)
	if aerr != nil {
		return nil, aerr
	}
	tags, aerr := tagParams(c.p)
	if aerr != nil {
		return nil, aerr
	}
	c.s.st.mu.Lock()
	defer c.s.st.mu.Unlock()
	lists, aerr := tagTargets(c, kind, ids)
	if aerr != nil {
		return nil, aerr
	}
	for _, l := range lists { // check every limit before changing anything
		probe := cloneTags(*l)
		if aerr := setTags(&probe, tags); aerr != nil {
			return nil, aerr
		}
	}
	for _, l := range lists {
		_ = setTags(l, tags)
	}
	return nil, nil
}

func actUntagResources(c *call) (any, error) {
	kind, aerr := c.tagType()
	if aerr != nil {
		return nil, aerr
	}
	ids, aerr := resourceIDs(c.p, true)
	if aerr != nil {
		return nil, aerr
	}
	keys := c.p.indexed("TagKey")
	if len(keys) > 20 {
		return nil, apiErr(http.StatusBadRequest, "NumberExceed.Tags", "The number of specified tags exceeds the limit of 20.")
	}
	all, aerr := c.p.boolean("All", false)
	if aerr != nil {
		return nil, aerr
	}
	drop := map[string]bool{}
	for _, k := range keys {
		drop[k] = true
	}
	c.s.st.mu.Lock()
	defer c.s.st.mu.Unlock()
	lists, aerr := tagTargets(c, kind, ids)
	if aerr != nil {
		return nil, aerr
	}
	for _, l := range lists {
		// All applies only when no TagKey.N is given.
		removeTags(l, func(t Tag) bool { return drop[t.Key] || all && len(keys) == 0 })
	}
	return nil, nil
}

// tagFilter is one TagFilter.N of ECS ListTagResources: a key and any of
// some values (none: any value).
type tagFilter struct {
	key    string
	values map[string]bool
}

func (f tagFilter) match(tags []Tag) bool {
	for _, t := range tags {
		if t.Key == f.key && (len(f.values) == 0 || f.values[t.Value]) {
			return true
		}
	}
	return false
}

func actListTagResources(c *call) (any, error) {
	kind, aerr := c.tagType()
	if aerr != nil {
		return nil, aerr
	}
	ids, aerr := resourceIDs(c.p, false)
	if aerr != nil {
		return nil, aerr
	}
	tags := c.p.tagFilters()
	var filters []tagFilter
	for _, g := range c.p.structs("TagFilter") {
		f := tagFilter{key: g["TagKey"], values: map[string]bool{}}
		for _, v := range params(g).indexed("TagValues") {
			f.values[v] = true
		}
		filters = append(filters, f)
	}
	pg := pageReq{size: 50, token: true}
	if c.version == versionVPC {
		if pg, aerr = c.p.paging(50, 50, 1, true); aerr != nil {
			return nil, aerr
		}
		pg.token = true
	} else if t := c.p.get("NextToken"); t != "" {
		var ok bool
		if pg.offset, ok = parseNextToken(t); !ok {
			return nil, apiErr(http.StatusBadRequest, "InvalidNextToken.Malformed", "The specified NextToken is not valid.")
		}
	}
	c.s.st.mu.Lock()
	defer c.s.st.mu.Unlock()
	rs := c.region()
	if len(ids) == 0 {
		ids = rs.idsOf(kind)
	}
	var rows []obj
	for _, id := range ids {
		list := rs.tagsOf(kind, id)
		if list == nil || len(*list) == 0 || !matchTags(*list, tags) {
			continue
		}
		ok := true
		for _, f := range filters {
			ok = ok && f.match(*list)
		}
		if !ok {
			continue
		}
		for _, t := range *list {
			rows = append(rows, obj{"ResourceType": kind, "ResourceId": id, "TagKey": t.Key, "TagValue": t.Value})
		}
	}
	return obj{"NextToken": pg.next(len(rows)), "TagResources": wrap("TagResource", append([]obj{}, pageOf(rows, pg)...))}, nil
}

// legacyTarget resolves the single ResourceType/ResourceId of AddTags and
// RemoveTags.
func legacyTarget(c *call) (*[]Tag, *apiError) {
	kind, aerr := c.tagType()
	if aerr != nil {
		return nil, aerr
	}
	id, aerr := c.p.required("ResourceId")
	if aerr != nil {
		return nil, aerr
	}
	list := c.region().tagsOf(kind, id)
	if list == nil {
		return nil, errResourceNotFound()
	}
	return list, nil
}

func actAddTags(c *call) (any, error) {
	tags, aerr := tagParams(c.p)
	if aerr != nil {
		return nil, aerr
	}
	c.s.st.mu.Lock()
	defer c.s.st.mu.Unlock()
	list, aerr := legacyTarget(c)
	if aerr != nil {
		return nil, aerr
	}
	return nil, setTags(list, tags)
}

func actRemoveTags(c *call) (any, error) {
	filters := c.p.tagFilters()
	c.s.st.mu.Lock()
	defer c.s.st.mu.Unlock()
	list, aerr := legacyTarget(c)
	if aerr != nil {
		return nil, aerr
	}
	removeTags(list, func(t Tag) bool { return len(filters) > 0 && anyTagFilter(t, filters) })
	return nil, nil
}

func actDescribeTags(c *call) (any, error) {
	pg, aerr := c.p.pageNumberSize(50, 100)
	if aerr != nil {
		return nil, aerr
	}
	kinds := []string{}
	if c.p.get("ResourceType") != "" {
		k, aerr := c.tagType()
		if aerr != nil {
			return nil, aerr
		}
		kinds = append(kinds, k)
	} else {
		for k := range ecsTagTypes {
			kinds = append(kinds, k)
		}
	}
	filters := c.p.tagFilters()
	c.s.st.mu.Lock()
	defer c.s.st.mu.Unlock()
	rs := c.region()
	counts := map[Tag]obj{}
	for _, kind := range kinds {
		ids := rs.idsOf(kind)
		if id := c.p.get("ResourceId"); id != "" {
			ids = []string{id}
		}
		for _, id := range ids {
			list := rs.tagsOf(kind, id)
			if list == nil {
				continue
			}
			for _, t := range *list {
				if !anyTagFilter(t, filters) {
					continue
				}
				if counts[t] == nil {
					counts[t] = obj{}
					for _, name := range ecsTagTypes {
						counts[t][name] = 0
					}
				}
				counts[t][ecsTagTypes[kind]] = counts[t][ecsTagTypes[kind]].(int) + 1
			}
		}
	}
	keys := make([]Tag, 0, len(counts))
	for t := range counts {
		keys = append(keys, t)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].Key < keys[j].Key || keys[i].Key == keys[j].Key && keys[i].Value < keys[j].Value
	})
	out := []obj{}
	for _, t := range pageOf(keys, pg) {
		out = append(out, obj{"TagKey": t.Key, "TagValue": t.Value, "ResourceTypeCount": counts[t]})
	}
	return obj{"TotalCount": len(keys), "PageNumber": pg.number, "PageSize": pg.size, "Tags": wrap("Tag", out)}, nil
}

// anyTagFilter reports whether a tag matches one of the filters (or there
// are none).
func anyTagFilter(t Tag, filters []Tag) bool {
	for _, f := range filters {
		if matchTags([]Tag{t}, []Tag{f}) {
			return true
		}
	}
	return len(filters) == 0
}
