# attribute.awk — aggregates costs at machine addresses of build/wasm-run's
# run() by register-code handler, for profile.sh and cg-handlers.sh.
#
# Input records: "ADDRESS WEIGHT [J]" (decimal link-time address; weight =
# samples or instructions; J marks a dispatch jump, whose weight counts
# executions of its handler) or "[symbol] WEIGHT" for code outside run().
# Variables: map (the directory handlers-map.sh wrote), src (file of
# "0xADDRESS file:line" from addr2line), top (rows), exact (1: show
# executions and instructions per execution), nir (native instruction count).
#
# Attribution: code whose source line is in interp.c's hand-written part goes
# to the label above that line (this names shared blocks such as call_wasm);
# code of the handlers generated from opcodes.def goes to the handler label
# at or below its address when that label is of the same operator, else to
# the operator named by the opcodes.def line (suffix "*": form unknown, as
# when the compiler moved a handler's tail next to another handler).  The
# IR_VI handlers are expanded from one line of interp.c, below the label
# of another handler: their code goes to the handler label at or below its
# address.
function hex(s,   i, v) {
	v = 0; s = tolower(s); sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
function base(n) {
	sub(/^BRIF(NOT)?_/, "", n); sub(/_[RIM][RIM]$/, "", n)    # operand forms: _RR, _RI, _RM...
	if (n ~ /_(LOAD|STORE)/) sub(/_ADD$/, "", n)    # address-folding load forms
	return n
}
function handler_at(a,   lo, hi, mid, best) {
	lo = 0; hi = nh - 1; best = -1
	while (lo <= hi) { mid = int((lo + hi) / 2); if (haddr[mid] <= a) { best = mid; lo = mid + 1 } else hi = mid - 1 }
	return best < 0 ? "(entry/setup)" : hname[best]
}
BEGIN {
	nh = 0
	while ((getline line < (map "/handlers.txt")) > 0) { split(line, f, " "); haddr[nh] = f[1] + 0; hname[nh] = f[2]; nh++ }
	nl = 0
	while ((getline line < (map "/labels.txt")) > 0) { split(line, f, " "); lline[nl] = f[1] + 0; lname[nl] = f[2]; islabel[f[2]] = 1; nl++ }
	while ((getline line < (map "/defops.txt")) > 0) { split(line, f, " "); defop[f[1] + 0] = f[2] }
	while ((getline line < src) > 0) { split(line, f, " "); srcl[hex(f[1])] = f[2] }
}
{
	w = $2 + 0
	total += w
	if ($1 ~ /^\[/) { cost[$1] += w; next }
	a = $1 + 0
	key = ""
	sl = srcl[a]
	if (sl ~ /interp\.c:[0-9]+/) {
		ln = sl; sub(/.*interp\.c:/, "", ln); ln += 0
		h = handler_at(a)
		if (h ~ /^VI_/ && !(h in islabel))
			key = h     # an IR_VI handler: expanded from one macro line, no label of its own above it
		else if (nl > 0 && ln >= lline[0])
			for (i = nl - 1; i >= 0; i--) if (lline[i] <= ln) { key = lname[i]; break }
	} else if (sl ~ /opcodes\.def:[0-9]+/) {
		ln = sl; sub(/.*opcodes\.def:/, "", ln); ln += 0
		h = handler_at(a)
		if (ln in defop) key = (base(h) == defop[ln]) ? h : defop[ln] "*"
	}
	if (key == "") key = handler_at(a)
	cost[key] += w
	if ($3 == "J") { execs[key] += w; disp += w }
}
END {
	if (total == 0) { print "  nothing recorded"; exit }
	if (exact) {
		printf "  %.0f dispatches, %.2f instructions per dispatch (all of wasm-run)", disp, total / (disp ? disp : 1)
		if (nir > 0) printf "; %.3f dispatches and %.2f instructions per native instruction", disp / nir, total / nir
		printf "\n  %7s %14s %12s %8s  %s\n", "Ir %", "Ir", "executions", "Ir/exec", "handler or [function]"
	}
	m = 0
	for (k in cost) keys[m++] = k
	for (i = 0; i < m; i++) for (j = i + 1; j < m; j++) if (cost[keys[j]] > cost[keys[i]]) { t = keys[i]; keys[i] = keys[j]; keys[j] = t }
	for (i = 0; i < m && i < top; i++) {
		k = keys[i]
		if (exact)
			printf "  %6.2f%% %14.0f %12.0f %8s  %s\n", 100 * cost[k] / total, cost[k], execs[k],
				execs[k] ? sprintf("%.1f", cost[k] / execs[k]) : "-", k
		else
			printf "  %6.2f%%  %s\n", 100 * cost[k] / total, k
	}
	if (!exact) printf "  (%d samples; [name] = a function other than run())\n", total
}
