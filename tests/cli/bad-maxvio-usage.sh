# maxvio's own usage errors.
moestat maxvio --batch 0 x
moestat maxvio --batch 4,x x
moestat maxvio --micro-batch 4 x
moestat maxvio --batch 8 --micro-batch 4 --ep-dp 2 x
