// GFLOP/s of oneDNN's dnnl_sgemm against its matmul primitive at ConvNeXt-Tiny's MLP products
// (batch 16, 224x224: forward, input-gradient and weight-gradient shapes of the four stages),
// FP32, median of 7 runs after a warm-up, each product alternating between the two. A reference
// measurement for issue #19 (README, "The bars on an Intel Xeon"); not part of the build or the tests.
//
//   O=.dependencies/onednn-3.2
//   gcc -O2 -o /tmp/gemm_shapes scripts/benchmarks/gemm_shapes.c -I$O/include -L$O/lib -Wl,-rpath,$O/lib -ldnnl
//   OMP_NUM_THREADS=2 /tmp/gemm_shapes
// scripts/benchmarks/gemm_shapes_torch.py times the same shapes with torch.mm (MKL in PyTorch's wheels).
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(){
  dnnl_engine_t eng; dnnl_engine_create(&eng,dnnl_cpu,0);
  dnnl_stream_t st; dnnl_stream_create(&st,eng,dnnl_stream_default_flags);
  // m,n,k,ta,tb
  long shapes[][5]={
   {50176,384,96,0,0},{50176,96,384,0,0},{50176,96,384,0,1},{50176,384,96,0,1},{96,384,50176,1,0},{384,96,50176,1,0},
   {12544,768,192,0,0},{12544,192,768,0,1},{192,768,12544,1,0},
   {3136,1536,384,0,0},{3136,384,1536,0,0},{3136,384,1536,0,1},{3136,1536,384,0,1},{384,1536,3136,1,0},{1536,384,3136,1,0},
   {784,3072,768,0,0},{784,768,3072,0,1},{768,3072,784,1,0}};
  int ns=sizeof(shapes)/sizeof(shapes[0]);
  for(int s=0;s<ns;s++){
    long m=shapes[s][0],n=shapes[s][1],k=shapes[s][2]; int ta=shapes[s][3],tb=shapes[s][4];
    float*a=aligned_alloc(64,m*k*4),*b=aligned_alloc(64,k*n*4),*c=aligned_alloc(64,m*n*4);
    for(long i=0;i<m*k;i++)a[i]=(i%7)*0.1f; for(long i=0;i<k*n;i++)b[i]=(i%5)*0.1f;
    double ts[7],tm[7];
    // matmul primitive
    dnnl_memory_desc_t ad,bd,cd; dnnl_dims_t da={m,k},db={k,n},dc={m,n};
    dnnl_memory_desc_create_with_tag(&ad,2,da,dnnl_f32,ta?dnnl_ba:dnnl_ab);
    dnnl_memory_desc_create_with_tag(&bd,2,db,dnnl_f32,tb?dnnl_ba:dnnl_ab);
    dnnl_memory_desc_create_with_tag(&cd,2,dc,dnnl_f32,dnnl_ab);
    dnnl_primitive_desc_t pd; dnnl_status_t stt=dnnl_matmul_primitive_desc_create(&pd,eng,ad,bd,NULL,cd,NULL);
    const char*impl="?"; dnnl_primitive_desc_query(pd,dnnl_query_impl_info_str,0,&impl);
    dnnl_primitive_t p; dnnl_primitive_create(&p,pd);
    const_dnnl_memory_desc_t sd=dnnl_primitive_desc_query_md(pd,dnnl_query_scratchpad_md,0);
    size_t ss=dnnl_memory_desc_get_size(sd); void*scr=ss?aligned_alloc(64,(ss+63)/64*64):NULL;
    dnnl_memory_t ma,mb,mc,msc; dnnl_memory_create(&ma,ad,eng,a);dnnl_memory_create(&mb,bd,eng,b);dnnl_memory_create(&mc,cd,eng,c);dnnl_memory_create(&msc,sd,eng,scr);
    dnnl_exec_arg_t args[4]={{DNNL_ARG_SRC,ma},{DNNL_ARG_WEIGHTS,mb},{DNNL_ARG_DST,mc},{DNNL_ARG_SCRATCHPAD,msc}};
    for(int r=0;r<8;r++){
      double t0=now(); dnnl_sgemm(ta?'T':'N',tb?'T':'N',m,n,k,1,a,ta?m:k,b,tb?k:n,0,c,n); double t1=now();
      dnnl_primitive_execute(p,st,4,args); dnnl_stream_wait(st); double t2=now();
      if(r>0){ts[r-1]=t1-t0;tm[r-1]=t2-t1;}
    }
    qsort(ts,7,8,cmp);qsort(tm,7,8,cmp);
    double fl=2.0*m*n*k;
    printf("%6ld x %5ld x %6ld ta%d tb%d  sgemm %6.1f GF/s  matmul %6.1f GF/s  (%s) ratio %.2f\n",m,n,k,ta,tb,fl/ts[3]/1e9,fl/tm[3]/1e9,impl,ts[3]/tm[3]);
    free(a);free(b);free(c);
  }
}
