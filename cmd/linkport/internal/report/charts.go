package report

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/linkport/linkport/mapping"
)

// charts are what the HTML report draws from a graph.
type charts struct {
	// Gained counts connections by the month (or, over more than four
	// years, the year) they were made.
	Gained *BarChart
	// TopOrgs are the organisations most people work at.
	TopOrgs *BarChart
}

func newCharts(g *mapping.Graph) charts {
	if g == nil {
		return charts{}
	}
	var cs charts
	cs.Gained = GainedChart(g.People)
	var top []Bar
	for _, o := range summarize(g).TopOrganizations {
		top = append(top, Bar{Label: o.Name, Value: o.People})
	}
	cs.TopOrgs = NewBarChart("Top organisations", "people", top, true)
	return cs
}

// BarChart is a bar chart laid out for inline SVG: the geometry is worked
// out here, so the template only places rectangles and labels.
type BarChart struct {
	Title string
	// Unit names what a bar counts ("connections", "people").
	Unit       string
	Horizontal bool
	Width      int
	Height     int
	Max        int
	Bars       []Bar
	// Total is the sum of the values, for the caption.
	Total int
}

// Bar is one bar: its label and value, and where it is drawn.
type Bar struct {
	Label string
	Value int
	// X, Y, W, H place the bar; LX, LY its label, VX its value's x.
	X, Y, W, H, LX, LY, VX int
	// ShowLabel is false for the labels left out so that the axis stays
	// legible (every month of twenty years cannot be written under it).
	ShowLabel bool
	// Short is Label cut to fit beside a horizontal bar.
	Short string
}

// Chart geometry, in SVG user units.
const (
	chartWidth   = 720
	chartPlot    = 160 // height of a vertical chart's bars
	chartAxis    = 34  // room under them for the labels
	rowHeight    = 22
	labelWidth   = 230
	valueWidth   = 60
	shortLabel   = 32 // characters of an organisation's name beside its bar
	maxAxisTicks = 12
)

// NewBarChart lays out bars, top to bottom (horizontal) or left to right.
// It returns nil when there is nothing to draw.
func NewBarChart(title, unit string, bars []Bar, horizontal bool) *BarChart {
	if len(bars) == 0 {
		return nil
	}
	c := &BarChart{Title: title, Unit: unit, Horizontal: horizontal, Width: chartWidth, Bars: bars}
	for _, b := range bars {
		c.Max = max(c.Max, b.Value)
		c.Total += b.Value
	}
	scale := func(v, room int) int {
		if c.Max == 0 {
			return 0
		}
		return max(1, v*room/c.Max)
	}
	if horizontal {
		c.Height = rowHeight * len(bars)
		room := chartWidth - labelWidth - valueWidth
		for i := range c.Bars {
			b := &c.Bars[i]
			b.X, b.Y, b.W, b.H = labelWidth, i*rowHeight+3, scale(b.Value, room), rowHeight-6
			b.LX, b.LY, b.VX = labelWidth-8, i*rowHeight+rowHeight/2+5, labelWidth+b.W+6
			b.ShowLabel, b.Short = true, b.Label
			if utf8.RuneCountInString(b.Label) > shortLabel {
				b.Short = string([]rune(b.Label)[:shortLabel-1]) + "…"
			}
		}
		return c
	}
	c.Height = chartPlot + chartAxis
	slot := chartWidth / len(bars)
	every := (len(bars) + maxAxisTicks - 1) / maxAxisTicks
	for i := range c.Bars {
		b := &c.Bars[i]
		b.W = max(1, slot-2)
		if slot > 6 {
			b.W = slot - slot/5
		}
		b.H = scale(b.Value, chartPlot)
		if b.Value == 0 {
			b.H = 0
		}
		b.X, b.Y = i*slot+(slot-b.W)/2, chartPlot-b.H
		b.LX, b.LY = i*slot+slot/2, chartPlot+16
		b.ShowLabel = i%every == 0
		b.Short = b.Label
	}
	return c
}

// GainedChart counts people by the month their connected_on falls in, or
// by year when the months span more than four years; the months or years
// between the first and the last are all drawn, with no connection or not.
func GainedChart(people []*mapping.Contact) *BarChart {
	months := map[int]int{} // year*12 + month-1
	lo, hi := 1<<31-1, -1
	for _, p := range people {
		m, ok := monthOf(p.ConnectedOn)
		if !ok {
			continue
		}
		months[m]++
		lo, hi = min(lo, m), max(hi, m)
	}
	if hi < 0 {
		return nil
	}
	var bars []Bar
	if hi-lo < 48 {
		for m := lo; m <= hi; m++ {
			bars = append(bars, Bar{Label: fmt.Sprintf("%04d-%02d", m/12, m%12+1), Value: months[m]})
		}
		return NewBarChart("Connections gained per month", "connections", bars, false)
	}
	years := map[int]int{}
	for m, n := range months {
		years[m/12] += n
	}
	for y := lo / 12; y <= hi/12; y++ {
		bars = append(bars, Bar{Label: strconv.Itoa(y), Value: years[y]})
	}
	return NewBarChart("Connections gained per year", "connections", bars, false)
}

// monthOf reads the month of a YYYY-MM-DD date.
func monthOf(date string) (int, bool) {
	if len(date) < 7 || date[4] != '-' {
		return 0, false
	}
	y, err := strconv.Atoi(date[:4])
	if err != nil || y < 1900 {
		return 0, false
	}
	m, err := strconv.Atoi(date[5:7])
	if err != nil || m < 1 || m > 12 {
		return 0, false
	}
	return y*12 + m - 1, true
}
