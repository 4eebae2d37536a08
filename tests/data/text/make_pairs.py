# Draws the candidate pairs of duplicate_pairs.csv (README.md beside it) from the shared data; a person
# then labels each pair by reading it. Run from the repository root: python3 tests/data/text/make_pairs.py
# (DATA overrides ../shared/data). Writes /tmp/tm/pairs.csv and prints the pairs for reading.
import csv,random,collections,itertools,re,os
DATA=os.environ.get('DATA','../shared/data')
os.makedirs('/tmp/tm',exist_ok=True)
random.seed(20260)
def load(path,idc,tc,bc,uc,src):
    out=[]
    for r in csv.DictReader(open(path)):
        out.append(dict(src=src,id=r[idc],title=r[tc],body=r[bc],user=r.get(uc,'') if uc else ''))
    return out
V=load(DATA+'/teddycup2020_c_gov_messages/messages_with_votes.csv','留言编号','留言主题','留言详情','留言用户','wz-votes')
R=load(DATA+'/teddycup2020_c_gov_messages/messages_with_replies.csv','留言编号','留言主题','留言详情','留言用户','wz-replies')
F=[]
for i,r in enumerate(csv.DictReader(open(DATA+'/fuzhou_citizen_complaints/fz12345_river_complaints.csv'))):
    F.append(dict(src='fz12345',id=str(i+1),title=r['标题'],body=r['投诉件内容'],user=r['河流']))
pairs=[]
# (a) same user, different message id (wenzheng)
byu=collections.defaultdict(list)
for m in V+R: byu[m['user']].append(m)
multi=[v for v in byu.values() if len({m['id'] for m in v})>=2]
random.shuffle(multi)
for v in multi[:35]:
    a,b=random.sample(v,2)
    if a['id']==b['id']: continue
    pairs.append(('same_user',a,b))
# (b) fz12345: same river, random pair
byr=collections.defaultdict(list)
for m in F: byr[m['user']].append(m)
rv=[v for v in byr.values() if len(v)>=2]
for _ in range(25):
    v=random.choice(rv); a,b=random.sample(v,2); pairs.append(('same_river',a,b))
# (c) shared 6-character substring in titles (wenzheng votes)
def sub6(t): 
    t=re.sub(r'[^\u4e00-\u9fff0-9A-Za-z]','',t); return {t[i:i+6] for i in range(len(t)-5)}
idx=collections.defaultdict(list)
for m in V: 
    for s in sorted(sub6(m["title"])): idx[s].append(m)
cands=[v for s,v in idx.items() if 2<=len(v)<=40 and not s.startswith('A市')]
random.shuffle(cands)
seen=set()
for v in cands:
    a,b=random.sample(v,2)
    k=tuple(sorted((a['id'],b['id'])))
    if a['id']==b['id'] or k in seen: continue
    seen.add(k); pairs.append(('title_sub6',a,b))
    if sum(1 for p in pairs if p[0]=='title_sub6')>=40: break
# (d) random pairs
for _ in range(20):
    a,b=random.sample(V+R+F,2); pairs.append(('random',a,b))
with open('/tmp/tm/pairs.csv','w') as f:
    w=csv.writer(f); w.writerow(['pair','how','src_a','id_a','src_b','id_b','title_a','title_b'])
    for i,(how,a,b) in enumerate(pairs):
        w.writerow([i+1,how,a['src'],a['id'],b['src'],b['id'],a['title'],b['title']])
for i,(how,a,b) in enumerate(pairs):
    print(f"#{i+1} {how}\n A: {a['title'][:60]} | {a['body'][:110]}\n B: {b['title'][:60]} | {b['body'][:110]}".replace('\n ','\n  ').replace('\r',''))
