"""Index a folder of images with a gxn model, then answer text queries from stdin (as search_images.c).
Usage: python3 search_images.py MODEL.gxn FOLDER < queries.txt"""
import pathlib, sys

import gxn

model = gxn.Model(sys.argv[1])
paths = sorted(str(p) for p in pathlib.Path(sys.argv[2]).iterdir() if p.suffix in (".png", ".jpg", ".jpeg"))
index = gxn.Index.build(model.encode_images(paths), lam=model.lam, payloads=paths)
print(f"indexed {len(paths)} images")
for line in filter(None, (raw.rstrip("\r\n") for raw in sys.stdin)):
    ids, scores, names = index.search(model.encode_texts([line]), 5, payloads=True)
    print(line)
    for score, name in zip(scores[0], names[0]):
        print(f"  {score:.4f} {name}")
