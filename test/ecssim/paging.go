package ecssim

import (
	"net/http"
	"strconv"
	"strings"
)

// pageReq is a resolved pagination request: a window [offset, offset+size)
// over the filtered, ordered result list.
type pageReq struct {
	offset int
	size   int
	number int  // 1-based page number (PageNumber mode)
	token  bool // MaxResults/NextToken mode
}

// pageNumberSize reads PageNumber/PageSize (defaults 1 and defSize; PageSize
// from 1 to maxSize).
func (p params) pageNumberSize(defSize, maxSize int) (pageReq, *apiError) {
	number, err := p.integer("PageNumber", 1)
	if err != nil {
		return pageReq{}, err
	}
	size, err := p.integer("PageSize", defSize)
	if err != nil {
		return pageReq{}, err
	}
	if number < 1 {
		return pageReq{}, errInvalid("PageNumber")
	}
	if size < 1 || size > maxSize {
		return pageReq{}, errInvalid("PageSize")
	}
	return pageReq{offset: (number - 1) * size, size: size, number: number}, nil
}

// paging reads either MaxResults/NextToken (when one of them is present and
// tokens are supported) or PageNumber/PageSize. MaxResults below minSize is
// raised to it, as DescribeInstances does for values under 10.
func (p params) paging(defSize, maxSize, minSize int, tokens bool) (pageReq, *apiError) {
	if !tokens || (p["MaxResults"] == "" && p["NextToken"] == "") {
		return p.pageNumberSize(defSize, maxSize)
	}
	size, err := p.integer("MaxResults", defSize)
	if err != nil {
		return pageReq{}, err
	}
	if size < 1 || size > maxSize {
		return pageReq{}, errInvalid("MaxResults")
	}
	size = max(size, minSize)
	offset := 0
	if t := p["NextToken"]; t != "" {
		var ok bool
		if offset, ok = parseNextToken(t); !ok {
			return pageReq{}, apiErr(http.StatusBadRequest, "InvalidNextToken.Malformed", "The specified NextToken is not valid.")
		}
	}
	return pageReq{offset: offset, size: size, number: offset/size + 1, token: true}, nil
}

// window returns the bounds of the page within total items.
func (pg pageReq) window(total int) (lo, hi int) {
	lo = min(pg.offset, total)
	hi = min(lo+pg.size, total)
	return lo, hi
}

// next returns the NextToken for the page after this one, "" at the end.
func (pg pageReq) next(total int) string {
	_, hi := pg.window(total)
	if !pg.token || hi >= total {
		return ""
	}
	return makeNextToken(hi)
}

// NextTokens are opaque to clients; they encode the offset of the next page.
const nextTokenPrefix = "ecssim-nt-"

func makeNextToken(offset int) string {
	return nextTokenPrefix + strconv.FormatInt(int64(offset), 36)
}

func parseNextToken(t string) (int, bool) {
	rest, ok := strings.CutPrefix(t, nextTokenPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 36, 32)
	if err != nil || n < 0 {
		return 0, false
	}
	return int(n), true
}

// pageOf cuts items to the requested page.
func pageOf[T any](items []T, pg pageReq) []T {
	lo, hi := pg.window(len(items))
	return items[lo:hi]
}
