# place's own errors: options, placements that cannot place the experts, inputs it cannot
# read twice, malformed --counts files (FILE:LINE), a --fit log of another model.
cp "$DATA/place.mlog" .
moestat place place.mlog
echo "status $?"
moestat place --ep 0 place.mlog
echo "status $?"
moestat place --ep 2 --placement balanced,foo place.mlog
echo "status $?"
moestat place --ep 3 --placement contiguous,balanced place.mlog
echo "status $?"
moestat place --ep 5 --placement round-robin place.mlog
echo "status $?"
moestat place --ep 2 --placement contiguous --redundant 2 place.mlog
echo "status $?"
moestat place --ep 4 --placement eplb --redundant 1 place.mlog
echo "status $?"
moestat place --ep 4 --placement eplb --nodes 3 place.mlog
echo "status $?"
moestat place --ep 2 --placement eplb --groups 3 place.mlog
echo "status $?"
moestat place --ep 2 - < place.mlog
echo "status $?"
moestat place --ep 2 --eval place.mlog place.mlog
echo "status $?"
moestat place --ep 2 --counts place.json place.mlog
echo "status $?"
moestat place --ep 2 --counts missing.json
echo "status $?"
printf '[[1, 2],\n [3]]\n' > short.json
moestat place --ep 2 --counts short.json
echo "status $?"
printf '[[1, 2],\n [3, "4"]]\n' > text.json
moestat place --ep 2 --counts text.json
echo "status $?"
printf '[[1, 2],\n [3, 4]\n' > broken.json
moestat place --ep 2 --counts broken.json
echo "status $?"
printf 'layer,a,b\n0,1,2\n1,x,2\n' > bad.csv
moestat place --ep 2 --counts bad.csv
echo "status $?"
printf '1,2\n3,-4\n' > negative.csv
moestat place --ep 2 --counts negative.csv
echo "status $?"
printf 'layer,a,b\n0,1,2\n0,3,4\n' > twice.csv
moestat place --ep 2 --counts twice.csv
echo "status $?"
# --fit: a log of 8 experts against one of 4; one whose N, from its ids, is too small;
# one without the input's layer 1 (a warning: the layer is left out).
printf '#moestat v1 experts=8 topk=1\n0 7\n' > eight.mlog
moestat place --ep 2 --fit eight.mlog place.mlog
echo "status $?"
printf '0 1\n' > two.log
moestat place --ep 2 --fit two.log place.mlog
echo "status $?"
printf '#moestat v1 experts=4 topk=1\n0 1\n0 2\n' > layer0.mlog
moestat place --ep 2 --placement balanced --fit layer0.mlog --batch 2 place.mlog
echo "status $?"
